"""Officers and their clearances: IPO staff and coordinators keep them (a coordinator their own agency's),
through the officer pages' forms and agencies.services; an officer reads their own."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from accounts.models import User
from agencies import services
from agencies.access import require
from agencies.forms import ClearanceForm, OfficerForm
from agencies.models import Clearance, Officer, Role
from agencies.permissions import can_manage_officer
from agencies.selectors import clearance_visible_to, clearances_with_expiry, officer_visible_to
from audit.services import audit_read

from ..filters import OfficerApiFilter
from ..forms import form_serializer, valid_form
from ..serializers import ClearanceSerializer, OfficerSerializer
from .base import ApiViewSet, service_errors, visible_or_404

# The officer form as IPO staff get it (with the agency); a coordinator's officer joins their own agency.
OfficerRequest = form_serializer("OfficerRequest", lambda: OfficerForm(user=User(role=Role.IPO_STAFF)))
OfficerRequest._declared_fields["agency"].help_text = _("IPO staff only: the officer's agency (id). A coordinator's "
                                                       "officer is always of the coordinator's agency.")
OfficerRequest._declared_fields["agency"].required = False
PatchedOfficerRequest = form_serializer(
    "PatchedOfficerRequest", lambda: OfficerForm(user=User(role=Role.IPO_STAFF)),
)
for _field in PatchedOfficerRequest._declared_fields.values():
    _field.required = False
ClearanceRequest = form_serializer("ClearanceRequest", lambda: ClearanceForm(user=User(role=Role.IPO_STAFF)))
PatchedClearanceRequest = form_serializer("PatchedClearanceRequest",
                                          lambda: ClearanceForm(user=User(role=Role.IPO_STAFF)))
for _field in PatchedClearanceRequest._declared_fields.values():
    _field.required = False


def audit_rows(request, model, rows):
    """A list of personal data read by someone other than the officer themself is in the audit trail,
    as an export is: one entry per page, with its row count."""
    if rows and request.user.role != Role.OFFICER:
        audit_read(actor=request.user, model=model, event="read.export", rows=len(rows), request=request,
                   detail={"via": "api", "path": request.path[:200]})


def _merged(form, data) -> dict:
    """A partial update: the stored values of the form's fields, with the sent ones over them."""
    from rest_framework import exceptions

    from ..forms import NOT_AN_OBJECT

    if not hasattr(data, "items"):
        raise exceptions.ValidationError({"non_field_errors": [NOT_AN_OBJECT]})
    stored = {name: form[name].value() for name in form.fields}
    return {**stored, **dict(data.items())}


@extend_schema_view(
    list=extend_schema(description=_(
        "Officers, by name, with the officer list's filters: IPO staff see every agency's, a coordinator their "
        "own agency's. With updated_since, the officers changed since then, oldest change first, for "
        "incremental sync.")),
    retrieve=extend_schema(description=_("One officer's profile (IPO staff, the officer's coordinator, the "
                                         "officer). The read is recorded in the audit trail.")),
    create=extend_schema(request=OfficerRequest, description=_(
        "IPO staff or a coordinator add an officer (a coordinator's to their own agency), with the officer "
        "form's rules: a badge number is unique within the agency.")),
    partial_update=extend_schema(request=PatchedOfficerRequest, description=_(
        "IPO staff or the officer's coordinator change the fields sent; the others keep their values.")),
)
class OfficerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, ApiViewSet):
    serializer_class = OfficerSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = OfficerApiFilter
    roles = {"list": ("ipo_staff", "coordinator"), "create": ("ipo_staff", "coordinator")}
    http_method_names = ["get", "post", "patch", "head"]

    def get_queryset(self):
        return officer_visible_to(self.request.user)

    def get_ordering(self):
        if self.request.query_params.get("updated_since"):
            return ("updated_at", "id")
        return ("last_name", "first_name", "id")

    def list(self, request, *args, **kwargs):
        response, rows = self.paginated(self.filter_queryset(self.get_queryset()))
        audit_rows(request, Officer, rows)
        return response

    def retrieve(self, request, *args, **kwargs):
        officer = self.get_object()
        audit_read(actor=request.user, obj=officer, event="read.officer", officer_id=officer.pk,
                   officer_user_id=officer.user_id, request=request)
        return Response(self.get_serializer(officer).data)

    def create(self, request, *args, **kwargs):
        form = valid_form(OfficerForm, request, user=request.user)
        with service_errors():
            officer = services.officer_create(actor=request.user, officer=form.officer())
        officer = officer_visible_to(request.user).get(pk=officer.pk)
        return Response(self.get_serializer(officer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        officer = self.get_object()
        require(can_manage_officer, request.user, officer)
        data = _merged(OfficerForm(instance=officer, user=request.user), request.data)
        form = valid_form(OfficerForm, request, data=data, instance=officer, user=request.user)
        with service_errors():
            services.officer_update(actor=request.user, officer=form.officer())
        return Response(self.get_serializer(officer_visible_to(request.user).get(pk=officer.pk)).data)


@extend_schema_view(
    list=extend_schema(description=_(
        "An officer's clearances and when each expires. The reference of a medical or psychological clearance "
        "is for IPO staff and the officer only.")),
    retrieve=extend_schema(description=_("One clearance of the officer.")),
    create=extend_schema(request=ClearanceRequest, description=_(
        "IPO staff or the officer's coordinator add a clearance: one of each kind per officer.")),
    partial_update=extend_schema(request=PatchedClearanceRequest, description=_(
        "IPO staff or the officer's coordinator change a clearance. A coordinator renews a medical or "
        "psychological clearance's date only.")),
    destroy=extend_schema(description=_("IPO staff or the officer's coordinator delete a clearance.")),
)
class ClearanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    serializer_class = ClearanceSerializer
    ordering = ("kind", "id")
    http_method_names = ["get", "post", "patch", "delete", "head"]

    def officer(self) -> Officer:
        if not hasattr(self, "_officer"):
            self._officer = visible_or_404(officer_visible_to(self.request.user), self.kwargs.get("officer_pk"))
        return self._officer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Clearance.objects.none()
        return clearances_with_expiry(clearance_visible_to(self.request.user).filter(officer=self.officer()))

    def _managed(self) -> Officer:
        officer = self.officer()
        require(can_manage_officer, self.request.user, officer)
        return officer

    def _answer(self, clearance, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=clearance.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        officer = self._managed()
        form = valid_form(ClearanceForm, request, instance=Clearance(officer=officer), user=request.user)
        with service_errors():
            clearance = services.clearance_save(actor=request.user, clearance=form.instance)
        return self._answer(clearance, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        clearance = self.get_object()
        self._managed()
        data = _merged(ClearanceForm(instance=clearance, user=request.user), request.data)
        form = valid_form(ClearanceForm, request, data=data, instance=clearance, user=request.user)
        with service_errors():
            services.clearance_save(actor=request.user, clearance=form.instance)
        return self._answer(clearance)

    def destroy(self, request, *args, **kwargs):
        clearance = self.get_object()
        self._managed()
        with service_errors():
            services.clearance_delete(actor=request.user, clearance=clearance)
        return Response(status=status.HTTP_204_NO_CONTENT)
