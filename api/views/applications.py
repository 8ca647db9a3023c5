"""Applications: officers submit theirs (with PDF documents), coordinators nominate, endorse and decline,
IPO staff shortlist, select and waitlist; everyone follows the timeline they may read. Each move is
roster.services.application_transition, through the application pages' forms."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from agencies.access import pdf_download, require
from agencies.selectors import officer_for_user
from audit.services import audit_read
from missions.selectors import bulletin_visible_to
from roster import eligibility, services
from roster.forms import ApplicationForm, EndorseForm, NominateForm, ReasonForm, TransitionForm
from roster.models import Application, ApplicationDocument, ApplicationStatus
from roster.selectors import (
    application_events_for,
    application_page_queryset,
    application_visible_to,
    can_endorse_application,
    can_withdraw_application,
    officers_for_nomination,
)

from ..filters import ApplicationFilter
from ..forms import chosen, form_serializer, valid_form
from ..serializers import ApplicationDetailSerializer, ApplicationEventSerializer, ApplicationSerializer
from .base import ApiViewSet, service_errors, visible_or_404
from .officers import audit_rows

S = ApplicationStatus


def _bulletin_field():
    return serializers.IntegerField(min_value=1, help_text=_("The bulletin (id)."))


def _reason_form(label, help_text=""):
    return lambda *args, **kwargs: ReasonForm(*args, label=label, submit="", help_text=help_text, **kwargs)


WITHDRAW_FORM = _reason_form(_("Reason for withdrawing"),
                             _("The officer, the agency and IPO staff see this reason on the timeline."))
DECLINE_FORM = _reason_form(_("Reason for declining"),
                            _("Shared with the officer: they read this reason on their timeline and in the status "
                              "email, as do IPO staff."))

SubmitRequest = form_serializer("ApplicationSubmitRequest", lambda: ApplicationForm(ask_confirmation=True),
                                extra={"bulletin": _bulletin_field()})
NominateRequest = form_serializer(
    "NominationRequest", lambda: NominateForm(officers=[]),
    extra={"bulletin": _bulletin_field(),
           "officer": serializers.IntegerField(min_value=1, help_text=_("One of your agency's active officers "
                                                                        "(id)."))},
)
EndorseRequest = form_serializer("EndorseRequest", EndorseForm)
ReasonRequest = form_serializer("ReasonRequest", WITHDRAW_FORM, required=("note",))
TransitionRequest = form_serializer("TransitionRequest", TransitionForm)


@extend_schema_view(
    list=extend_schema(description=_(
        "Applications you may see, newest first: IPO staff every one, a coordinator their agency's, an officer "
        "their own. With updated_since, those changed since then, oldest change first (incremental sync).")),
    retrieve=extend_schema(description=_(
        "One application, with its documents, the officer against the bulletin's requirements and what you may "
        "do with it now. The read is recorded in the audit trail.")),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApplicationFilter
    parser_classes = [JSONParser, MultiPartParser]
    roles = {"create": ("officer",), "nominate": ("coordinator",)}

    def get_queryset(self):
        if self.action == "retrieve":
            return application_page_queryset(self.request.user)
        return application_visible_to(self.request.user)

    def get_serializer_class(self):
        return ApplicationSerializer if self.action == "list" else ApplicationDetailSerializer

    def get_ordering(self):
        if self.request.query_params.get("updated_since"):
            return ("updated_at", "id")
        return ("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        response, rows = self.paginated(self.filter_queryset(self.get_queryset()))
        audit_rows(request, Application, rows)
        return response

    def _detail(self, pk, code=status.HTTP_200_OK):
        application = application_page_queryset(self.request.user).get(pk=pk)
        return Response(ApplicationDetailSerializer(application, context=self.get_serializer_context()).data,
                        status=code)

    def retrieve(self, request, *args, **kwargs):
        application = self.get_object()
        audit_read(actor=request.user, obj=application, event="read.application", officer_id=application.officer_id,
                   officer_user_id=application.officer.user_id, request=request)
        return Response(self.get_serializer(application).data)

    # --- officers and coordinators file applications

    @extend_schema(
        request={"application/json": SubmitRequest, "multipart/form-data": SubmitRequest},
        responses={201: ApplicationDetailSerializer},
        description=_(
            "An officer applies to an open bulletin, with a statement and up to three PDF documents (send them as "
            "multipart/form-data, each under “documents”). An officer who misses a requirement confirms it "
            "with confirm_ineligible; the application is then flagged. Applying twice is a 409."),
    )
    def create(self, request, *args, **kwargs):
        bulletin = chosen(request, "bulletin", bulletin_visible_to(request.user))
        officer = officer_for_user(request.user)
        if officer is None:
            raise exceptions.PermissionDenied(_("Your login is not linked to an officer profile."))
        result = eligibility.check(officer, bulletin)
        form = valid_form(ApplicationForm, request, ask_confirmation=not result.eligible)
        with service_errors():
            application = services.application_submit(
                bulletin=bulletin, officer=officer, actor=request.user, statement=form.cleaned_data["statement"],
                documents=request.FILES.getlist("documents"),
                confirm_ineligible=form.cleaned_data.get("confirm_ineligible", False),
            )
        return self._detail(application.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": NominateRequest, "multipart/form-data": NominateRequest},
        responses={201: ApplicationDetailSerializer},
        description=_(
            "A coordinator nominates one of their agency's active officers for an open bulletin, confirming the "
            "agency releases the officer (release_confirmed); the application starts endorsed."),
    )
    @action(detail=False, methods=["post"])
    def nominate(self, request):
        bulletin = chosen(request, "bulletin", bulletin_visible_to(request.user))
        officers = officers_for_nomination(request.user, bulletin)
        form = valid_form(NominateForm, request, officers=officers)
        with service_errors():
            application = services.application_nominate(
                bulletin=bulletin, officer=form.cleaned_data["officer"], actor=request.user,
                statement=form.cleaned_data["statement"], documents=request.FILES.getlist("documents"),
                release_confirmed=form.cleaned_data["release_confirmed"],
                confirm_ineligible=form.cleaned_data["confirm_ineligible"],
            )
        return self._detail(application.pk, status.HTTP_201_CREATED)

    # --- moves

    def _move(self, *, to, allowed, form_class, kwargs_of):
        application = self.get_object()
        if allowed is not None:
            require(allowed, self.request.user, application)
        form = valid_form(form_class, self.request)
        with service_errors():
            services.application_transition(application=application, to=to, actor=self.request.user,
                                            **kwargs_of(form.cleaned_data))
        return self._detail(application.pk)

    @extend_schema(request=EndorseRequest, responses=ApplicationDetailSerializer, description=_(
        "The officer's coordinator endorses a submitted application, confirming the agency releases the officer "
        "for the tour (release_confirmed); it goes to IPO staff."))
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        return self._move(to=S.ENDORSED, allowed=can_endorse_application, form_class=EndorseForm,
                          kwargs_of=lambda cd: {"note": cd["note"], "release_confirmed": cd["release_confirmed"]})

    @extend_schema(request=ReasonRequest, responses=ApplicationDetailSerializer, description=_(
        "The officer's coordinator declines a submitted application, with a reason the officer reads."))
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._move(to=S.AGENCY_DECLINED, allowed=can_endorse_application, form_class=DECLINE_FORM,
                          kwargs_of=lambda cd: {"note": cd["note"]})

    @extend_schema(request=ReasonRequest, responses=ApplicationDetailSerializer, description=_(
        "The officer, or their coordinator, withdraws an application still open, with a reason."))
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move(to=S.WITHDRAWN, allowed=can_withdraw_application, form_class=WITHDRAW_FORM,
                          kwargs_of=lambda cd: {"note": cd["note"]})

    @extend_schema(request=TransitionRequest, responses=ApplicationDetailSerializer, description=_(
        "IPO staff move an application: shortlist or screen out an endorsed one; select, waitlist or not select "
        "a shortlisted or waitlisted one. Selecting beyond the bulletin's positions is a 409; selecting an "
        "officer committed elsewhere over the tour needs confirm_unavailable. A note is internal unless "
        "share_note is “shared”."))
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        application = self.get_object()
        form = valid_form(TransitionForm, self.request)
        cd = form.cleaned_data
        with service_errors():
            services.application_transition(
                application=application, to=cd["to"], actor=self.request.user, note=cd["note"],
                share_note=cd["share_note"], confirm_unavailable=cd["confirm_unavailable"],
            )
        return self._detail(application.pk)

    # --- the timeline and the documents

    @extend_schema(responses=ApplicationEventSerializer(many=True), description=_(
        "The application's timeline, oldest first: each status change, who made it and its note as you may read "
        "it (IPO staff's internal notes are for IPO staff only)."))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        application = self.get_object()
        events = application_events_for(request.user).filter(application_id=application.pk)
        response, _rows = self.paginated(events, ApplicationEventSerializer, ordering=("created_at", "id"))
        return response

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_(
        "The PDF, as an attachment."))}, description=_(
        "Download a document of an application you may see. The download is recorded in the audit trail."))
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<doc_pk>[0-9]+)", url_name="document")
    def document(self, request, pk=None, doc_pk=None):
        application = visible_or_404(application_visible_to(request.user), pk)
        document = visible_or_404(ApplicationDocument.objects.filter(application=application), doc_pk)
        return pdf_download(document, record=lambda: audit_read(
            actor=request.user, obj=document, event="read.document", officer_id=application.officer_id,
            officer_user_id=application.officer.user_id, request=request,
            detail={"application": application.pk, "file": document.original_name, "via": "api"}))
