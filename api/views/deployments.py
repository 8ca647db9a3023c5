"""Deployments: IPO staff turn a selected application into a deployment and record its lifecycle
(arrival, extension, completion, repatriation, cancellation before departure), through the deployment
pages' forms and roster.services; coordinators and officers read the ones they may see."""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies.access import require
from agencies.permissions import is_ipo_staff
from agencies.validators import bounded_id
from audit.services import audit_read
from missions.models import Mission
from roster import services
from roster.forms_deployments import (
    CancelForm,
    CompleteForm,
    DeploymentCreateForm,
    ExtendForm,
    RepatriateForm,
    StartForm,
)
from roster.models import Deployment
from roster.roles.selectors import deployment_roles_offered
from roster.selectors import (
    application_visible_to,
    deployment_linked,
    deployment_missions_for,
    deployment_visible_to,
    deployments_replaceable,
)

from ..filters import DeploymentFilter
from ..forms import chosen, form_serializer, valid_form
from ..serializers import DeploymentDetailSerializer, DeploymentRoleSerializer, DeploymentSerializer
from .base import ApiViewSet, service_errors
from .officers import audit_rows

_SAMPLE = Deployment(start_date=dt.date(2026, 1, 1), planned_end_date=dt.date(2027, 1, 1))

DeploymentCreateRequest = form_serializer(
    "DeploymentCreateRequest",
    lambda: DeploymentCreateForm(missions=Mission.objects.none(), replaceable=Deployment.objects.none()),
    extra={
        "application": serializers.IntegerField(min_value=1, help_text=_("The selected application (id).")),
        "confirm_role_change": serializers.BooleanField(required=False, help_text=_(
            "Confirms a rotation into another role than the deployment it replaces.")),
    },
)
StartRequest = form_serializer(
    "DeploymentStartRequest", lambda: StartForm(deployment=_SAMPLE, prefix=None),
    extra={"confirm_far_from_plan": serializers.BooleanField(required=False, help_text=_(
        "Confirms an arrival more than a few days from the planned start."))},
)
CompleteRequest = form_serializer("DeploymentCompleteRequest", lambda: CompleteForm(deployment=_SAMPLE, prefix=None))
ExtendRequest = form_serializer("DeploymentExtendRequest", lambda: ExtendForm(deployment=_SAMPLE))
RepatriateRequest = form_serializer("DeploymentRepatriateRequest", RepatriateForm)
CancelRequest = form_serializer("DeploymentCancelRequest", CancelForm, required=("reason",))


@extend_schema_view(
    list=extend_schema(description=_(
        "Deployments you may see, latest start first: IPO staff every one, a coordinator their agency's "
        "officers', an officer their own. With updated_since, those changed since then, oldest change first "
        "(incremental sync).")),
    retrieve=extend_schema(description=_(
        "One deployment with its history; a repatriation's or a cancellation's reason only for whoever may read "
        "it. The read is recorded in the audit trail.")),
)
class DeploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeploymentFilter
    roles = {"create": ("ipo_staff",)}

    def get_queryset(self):
        return deployment_visible_to(self.request.user)

    def get_serializer_class(self):
        return DeploymentSerializer if self.action == "list" else DeploymentDetailSerializer

    def get_ordering(self):
        if self.request.query_params.get("updated_since"):
            return ("updated_at", "id")
        return ("-start_date", "-id")

    def list(self, request, *args, **kwargs):
        response, rows = self.paginated(self.filter_queryset(self.get_queryset()))
        audit_rows(request, Deployment, rows)
        return response

    def _detail(self, pk, code=status.HTTP_200_OK, *, deployment=None):
        """The deployment's detail: `deployment` as read, else read again (after a change) by `pk`."""
        deployment = deployment or deployment_visible_to(self.request.user).get(pk=pk)
        context = {**self.get_serializer_context(), "linked": deployment_linked(self.request.user, deployment)}
        return Response(DeploymentDetailSerializer(deployment, context=context).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        deployment = self.get_object()
        audit_read(actor=request.user, obj=deployment, event="read.deployment", officer_id=deployment.officer_id,
                   officer_user_id=deployment.officer.user_id, request=request)
        return self._detail(deployment.pk, deployment=deployment)

    @extend_schema(request=DeploymentCreateRequest, responses={201: DeploymentDetailSerializer}, description=_(
        "IPO staff turn a selected application into a deployment (the application becomes deployed). Overlapping "
        "tours are refused; missing clearances and the mission's strength or the program ceiling need an "
        "override with a reason; a rotation (replaces) into another role needs confirm_role_change."))
    def create(self, request, *args, **kwargs):
        application = chosen(request, "application", application_visible_to(request.user))
        bulletin = application.bulletin
        mission_id = bounded_id(request.data.get("mission")) or bulletin.mission_id
        form = valid_form(
            DeploymentCreateForm, request,
            missions=deployment_missions_for(request.user, bulletin),
            replaceable=deployments_replaceable(request.user, mission_id),
        )
        cd = form.cleaned_data
        with service_errors():
            deployment = services.deployment_create(
                application=application, actor=request.user, **form.role_kwargs(), mission=cd["mission"],
                start_date=cd["start_date"], planned_end_date=cd["planned_end_date"], replaces=cd["replaces"],
                override_clearances=cd["override_clearances"], override_strength=cd["override_strength"],
                override_reason=cd["override_reason"], confirm_role_change=cd.get("confirm_role_change", False),
            )
        return self._detail(deployment.pk, status.HTTP_201_CREATED)

    def _staff(self) -> Deployment:
        deployment = self.get_object()
        require(is_ipo_staff, self.request.user)
        return deployment

    @extend_schema(request=StartRequest, responses=DeploymentDetailSerializer, description=_(
        "IPO staff record a planned deployment's arrival in mission, on its date (not in the future)."))
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        deployment = self._staff()
        cd = valid_form(StartForm, request, deployment=deployment, prefix=None).cleaned_data
        with service_errors(aliases={"start_date": "arrived_on"}):
            services.deployment_start(deployment=deployment, actor=request.user, arrived_on=cd["arrived_on"],
                                      confirm_far_from_plan=cd.get("confirm_far_from_plan", False))
        return self._detail(deployment.pk)

    @extend_schema(request=CompleteRequest, responses=DeploymentDetailSerializer, description=_(
        "IPO staff record the end of a tour in mission; ending more than a week early needs early=true."))
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        deployment = self._staff()
        cd = valid_form(CompleteForm, request, deployment=deployment, prefix=None).cleaned_data
        with service_errors():
            services.deployment_complete(deployment=deployment, actor=request.user, on=cd["on"])
        return self._detail(deployment.pk)

    @extend_schema(request=ExtendRequest, responses=DeploymentDetailSerializer, description=_(
        "IPO staff move a planned or current tour's planned end later, with a reason; beyond the strength or the "
        "ceiling needs override_strength."))
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        deployment = self._staff()
        cd = valid_form(ExtendForm, request, deployment=deployment).cleaned_data
        with service_errors(aliases={"start_date": "new_end"}):
            services.deployment_extend(deployment=deployment, actor=request.user, new_end=cd["new_end"],
                                       reason=cd["reason"], override_strength=cd["override_strength"])
        return self._detail(deployment.pk)

    @extend_schema(request=RepatriateRequest, responses=DeploymentDetailSerializer, description=_(
        "IPO staff record an early return from mission, with its reason (a note is required for “other”)."))
    @action(detail=True, methods=["post"])
    def repatriate(self, request, pk=None):
        deployment = self._staff()
        cd = valid_form(RepatriateForm, request).cleaned_data
        with service_errors():
            services.deployment_repatriate(deployment=deployment, actor=request.user, reason=cd["reason"],
                                           note=cd["note"], on=cd["on"])
        return self._detail(deployment.pk)

    @extend_schema(request=CancelRequest, responses=DeploymentDetailSerializer, description=_(
        "IPO staff cancel a planned tour before departure, with a reason; its application returns to selected."))
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        deployment = self._staff()
        cd = valid_form(CancelForm, request).cleaned_data
        with service_errors():
            services.deployment_cancel(deployment=deployment, actor=request.user, reason=cd["reason"])
        return self._detail(deployment.pk)


@extend_schema_view(
    list=extend_schema(description=_(
        "The roles a new deployment may take (the catalogue IPO staff keep), in their order, with their names "
        "in English and French and in the request's language. A deployment names its role by this id "
        "(role_id), or writes it out in both languages (role_other_en, role_other_fr). Every signed-in role.")),
)
class DeploymentRoleViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = DeploymentRoleSerializer
    ordering = ("position", "name_en", "id")

    def get_queryset(self):
        return deployment_roles_offered()
