"""What the API answers. Serializers only read: every write goes through a page's form and a service
(api.forms, api.views). Values a user may not read come from the apps' own selectors: a medical
clearance's reference (agencies.selectors.clearance_reference_for), a repatriation's or a
cancellation's reason (roster.selectors), an internal note on a timeline (application_events_for)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from agencies.models import Agency, Clearance, Officer
from agencies.selectors import clearance_reference_for
from missions.models import Bulletin, BulletinNotice, Mission
from roster.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Deployment,
    DeploymentEvent,
    DeploymentRole,
)
from roster.selectors import (
    cancellation_reason_for,
    deployment_event_note_for,
    repatriation_note_for,
    repatriation_reason_for,
)


def _user(request):
    return getattr(request, "user", None)


class ReadOnlyModelSerializer(serializers.ModelSerializer):
    """Read only; a field without a help text is described in the schema by its model field's name
    (verbose_name, translated)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.read_only = True
            if not field.help_text and field.label:
                field.help_text = field.label
        return fields


# --- small references ------------------------------------------------------------------------------

class AgencyRefSerializer(ReadOnlyModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Agency
        fields = ["id", "slug", "name", "kind", "province"]


class PersonSerializer(ReadOnlyModelSerializer):
    """A login named on a record (who acknowledged, nominated, acted)."""

    name = serializers.SerializerMethodField(help_text=_("Full name, or the email address without one."))

    class Meta:
        model = User
        fields = ["id", "name", "role"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.email


class MissionRefSerializer(ReadOnlyModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Mission
        fields = ["id", "code", "name"]


class StrengthSerializer(serializers.Serializer):
    """missions.selectors.Strength: one definition of the figures on every page."""

    authorised = serializers.IntegerField(help_text=_("Officers authorised at once (0 once the mission is closed)."))
    in_mission = serializers.IntegerField(help_text=_("Deployments in mission."))
    planned = serializers.IntegerField(help_text=_("Deployments planned."))
    filled = serializers.IntegerField(help_text=_("In mission plus planned."))
    vacant = serializers.IntegerField(help_text=_("Authorised minus filled, never below 0."))
    over = serializers.IntegerField(help_text=_("Filled beyond the authorised strength."))
    selected = serializers.IntegerField(
        help_text=_("Applications selected and not deployed yet (not counted in filled).")
    )


# --- missions and bulletins ------------------------------------------------------------------------

class MissionSerializer(ReadOnlyModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    country = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    strength = serializers.SerializerMethodField(help_text=_("The mission's strength as the roster stands now."))

    class Meta:
        model = Mission
        fields = ["id", "code", "name", "name_en", "name_fr", "kind", "country", "country_en", "country_fr",
                  "language", "armed", "authorized_strength", "status", "description_en", "description_fr",
                  "strength"]

    @extend_schema_field(StrengthSerializer)
    def get_strength(self, mission):
        from missions.selectors import strength_of

        return StrengthSerializer(strength_of(mission)).data


class RequirementsSerializer(serializers.Serializer):
    min_years_service = serializers.IntegerField(help_text=_("Years of police service at the deployment start."))
    required_language = serializers.CharField(allow_blank=True, help_text=_("“en”, “fr” or empty."))
    min_language_level = serializers.IntegerField(allow_null=True, help_text=_("0 (none) to 4 (fluent)."))
    requires_firearms = serializers.BooleanField()
    requires_manual_driving = serializers.BooleanField()
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True, help_text=_("Applicants must be younger than this age."))
    required_clearances = serializers.ListField(child=serializers.CharField(), help_text=_("Kinds of clearance."))
    women_priority = serializers.BooleanField()


class BulletinSerializer(ReadOnlyModelSerializer):
    mission = MissionRefSerializer(read_only=True)
    title = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    is_open = serializers.BooleanField(read_only=True, help_text=_("Published and not closed yet: applications are "
                                                                   "accepted."))
    requirements = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = ["id", "reference", "mission", "title", "title_en", "title_fr", "positions", "duration_months",
                  "deployment_start", "closes_at", "status", "is_open", "published_at", "closed_at", "cancelled_at",
                  "requirements", "updated_at"]

    @extend_schema_field(RequirementsSerializer)
    def get_requirements(self, bulletin):
        return {name: getattr(bulletin, name) for name in RequirementsSerializer._declared_fields}


class RuleSerializer(serializers.Serializer):
    rule = serializers.CharField()
    label = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["pass", "fail", "unknown"])
    reason = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField(help_text=_("No requirement failed (unknowns are data to fill in)."))
    outcome = serializers.ChoiceField(choices=["pass", "fail", "unknown"])
    summary = serializers.CharField()
    rules = RuleSerializer(many=True, source="results")


class BulletinDetailSerializer(BulletinSerializer):
    description = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    eligibility = serializers.SerializerMethodField(
        help_text=_("For an officer: whether they meet each requirement (null for other roles).")
    )

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "description", "description_en", "description_fr",
                  "cancel_reason", "eligibility"]

    @extend_schema_field(EligibilitySerializer(allow_null=True))
    def get_eligibility(self, bulletin):
        result = self.context.get("eligibility")
        return EligibilitySerializer(result).data if result is not None else None


class NoticeSerializer(ReadOnlyModelSerializer):
    bulletin = serializers.PrimaryKeyRelatedField(read_only=True)
    reference = serializers.CharField(source="bulletin.reference", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    acknowledged_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = BulletinNotice
        fields = ["id", "bulletin", "reference", "agency", "created_at", "acknowledged_at", "acknowledged_by",
                  "reminded_at", "circulated_at", "circulated_count"]


# --- officers and clearances -----------------------------------------------------------------------

class OfficerSerializer(ReadOnlyModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    has_login = serializers.SerializerMethodField(help_text=_("Whether the officer signs in to the roster."))

    class Meta:
        model = Officer
        fields = ["id", "agency", "badge_number", "first_name", "last_name", "email", "phone", "rank", "gender",
                  "date_of_birth", "service_start", "english_level", "french_level", "manual_driving",
                  "firearms_qualified", "is_active", "has_login", "anonymised_at", "created_at", "updated_at"]

    def get_has_login(self, officer) -> bool:
        return officer.user_id is not None


class OfficerRefSerializer(ReadOnlyModelSerializer):
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = Officer
        fields = ["id", "first_name", "last_name", "badge_number", "agency"]


class ClearanceSerializer(ReadOnlyModelSerializer):
    reference = serializers.SerializerMethodField(
        help_text=_("“Confidential” for a medical or psychological clearance the caller has no need to know.")
    )
    expiry = serializers.SerializerMethodField(help_text=_("“expired”, “expiring” (within the warning period) "
                                                           "or “valid”."))

    class Meta:
        model = Clearance
        fields = ["id", "officer", "kind", "valid_until", "reference", "expiry", "updated_at"]

    def get_reference(self, clearance) -> str:
        return str(clearance_reference_for(_user(self.context.get("request")), clearance))

    @extend_schema_field(serializers.ChoiceField(choices=["expired", "expiring", "valid"]))
    def get_expiry(self, clearance):
        return getattr(clearance, "expiry", "")


# --- applications ----------------------------------------------------------------------------------

class BulletinRefSerializer(ReadOnlyModelSerializer):
    mission = MissionRefSerializer(read_only=True)
    title = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Bulletin
        fields = ["id", "reference", "title", "mission", "status", "closes_at", "positions"]


class DocumentSerializer(ReadOnlyModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("Where to download it (a PDF, as an attachment)."))

    class Meta:
        model = ApplicationDocument
        fields = ["id", "original_name", "size", "uploaded_at", "url"]

    def get_url(self, document) -> str:
        from django.urls import reverse

        return reverse("api:application-document", kwargs={"pk": document.application_id, "doc_pk": document.pk})


class ApplicationSerializer(ReadOnlyModelSerializer):
    bulletin = BulletinRefSerializer(read_only=True)
    officer = OfficerRefSerializer(read_only=True)
    nominated = serializers.SerializerMethodField(help_text=_("Filed by the agency's coordinator."))

    class Meta:
        model = Application
        fields = ["id", "bulletin", "officer", "status", "statement", "nominated", "release_confirmed",
                  "ineligible", "created_at", "updated_at"]

    def get_nominated(self, application) -> bool:
        return application.nominated_by_id is not None


class ActionsSerializer(serializers.Serializer):
    edit = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    endorse = serializers.BooleanField()
    decline = serializers.BooleanField()
    moves = serializers.ListField(child=serializers.CharField(), help_text=_("The moves IPO staff may apply now "
                                                                          "(the transition action's “to”)."))
    deploy = serializers.BooleanField()


class ApplicationDetailSerializer(ApplicationSerializer):
    nominated_by = PersonSerializer(read_only=True, allow_null=True)
    documents = DocumentSerializer(many=True, read_only=True)
    eligibility = serializers.SerializerMethodField(help_text=_("The officer against the bulletin, rule by rule."))
    actions = serializers.SerializerMethodField(help_text=_("What the caller may do with it now."))

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "nominated_by", "documents", "eligibility", "actions"]

    @extend_schema_field(EligibilitySerializer)
    def get_eligibility(self, application):
        from roster.selectors import application_eligibility

        return EligibilitySerializer(application_eligibility(application)).data

    @extend_schema_field(ActionsSerializer)
    def get_actions(self, application):
        from roster.selectors import application_actions

        return application_actions(_user(self.context.get("request")), application)


class ApplicationEventSerializer(ReadOnlyModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    note = serializers.CharField(source="note_shown", read_only=True, help_text=_(
        "The note as the caller may read it: IPO staff's internal notes are empty for everyone else."))
    note_audience = serializers.CharField(read_only=True, help_text=_(
        "For IPO staff: “internal” or “shared” (empty without a note); empty for everyone else."))

    class Meta:
        model = ApplicationEvent
        fields = ["id", "from_status", "to_status", "actor", "note", "note_audience", "created_at"]


# --- deployments -----------------------------------------------------------------------------------

class DeploymentRoleSerializer(ReadOnlyModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = DeploymentRole
        fields = ["id", "name", "name_en", "name_fr"]


class DeploymentSerializer(ReadOnlyModelSerializer):
    officer = OfficerRefSerializer(read_only=True)
    mission = MissionRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True, help_text=_(
        "The role in the request's language: the catalogue's name, or the role written out."))
    role_id = serializers.IntegerField(source="catalogue_role_id", read_only=True, allow_null=True, help_text=_(
        "The role in the catalogue (/api/v1/deployment-roles/), or null for a role written out."))
    repatriation_reason = serializers.SerializerMethodField(help_text=_(
        "The reason's code, or null when the caller may not read it (a medical, compassionate or disciplinary "
        "repatriation is for IPO staff and the officer)."))
    repatriation_reason_label = serializers.SerializerMethodField(help_text=_(
        "The reason in words, or “Repatriated early” for whoever may not read it."))
    cancellation_reason = serializers.SerializerMethodField(help_text=_(
        "Why a planned tour was cancelled, or “Cancelled before departure” for whoever may not read it."))

    class Meta:
        model = Deployment
        fields = ["id", "officer", "mission", "application", "role", "role_id", "start_date", "planned_end_date",
                  "actual_start_date", "actual_end_date", "status", "repatriation_reason",
                  "repatriation_reason_label", "cancelled_at", "cancellation_reason", "created_at", "updated_at"]

    @extend_schema_field(serializers.ChoiceField(choices=Deployment.RepatriationReason.choices, allow_null=True))
    def get_repatriation_reason(self, deployment):
        from roster.permissions import can_read_repatriation_reason

        if not deployment.repatriation_reason:
            return None
        user = _user(self.context.get("request"))
        return deployment.repatriation_reason if can_read_repatriation_reason(user, deployment) else None

    def get_repatriation_reason_label(self, deployment) -> str:
        return str(repatriation_reason_for(_user(self.context.get("request")), deployment))

    def get_cancellation_reason(self, deployment) -> str:
        return str(cancellation_reason_for(_user(self.context.get("request")), deployment))


class DeploymentEventSerializer(ReadOnlyModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    note = serializers.SerializerMethodField(help_text=_("The note as the caller may read it."))

    class Meta:
        model = DeploymentEvent
        fields = ["id", "action", "actor", "note", "created_at"]

    def get_note(self, event) -> str:
        return deployment_event_note_for(_user(self.context.get("request")), self.context["deployment"], event)


class DeploymentDetailSerializer(DeploymentSerializer):
    repatriation_note = serializers.SerializerMethodField(help_text=_("With the reason, for whoever may read it."))
    override_reason = serializers.CharField(read_only=True, help_text=_(
        "Why it went ahead despite missing clearances or strength, if it did."))
    replaces = serializers.SerializerMethodField(help_text=_(
        "The deployment this one relieves, when the caller may see it."))
    replaced_by = serializers.SerializerMethodField(help_text=_("The deployments relieving this one that the "
                                                                "caller may see."))
    events = serializers.SerializerMethodField()

    class Meta(DeploymentSerializer.Meta):
        fields = [*DeploymentSerializer.Meta.fields, "repatriation_note", "override_reason", "replaces",
                  "replaced_by", "events"]

    def get_repatriation_note(self, deployment) -> str:
        return repatriation_note_for(_user(self.context.get("request")), deployment)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_replaces(self, deployment):
        return next((d.pk for d in self.context.get("linked", []) if d.pk == deployment.replaces_id), None)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_replaced_by(self, deployment):
        return [d.pk for d in self.context.get("linked", []) if d.replaces_id == deployment.pk]

    @extend_schema_field(DeploymentEventSerializer(many=True))
    def get_events(self, deployment):
        events = deployment.events.select_related("actor").order_by("created_at", "id")
        return DeploymentEventSerializer(events, many=True, context={**self.context, "deployment": deployment}).data


# --- errors (documented in every operation by api.schema) -----------------------------------------

class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the request's language."))
    code = serializers.CharField(help_text=_("A stable code: not_authenticated, authentication_failed, "
                                             "permission_denied, not_found, conflict, throttled, ..."))


class ValidationErrorSerializer(ErrorSerializer):
    """For the schema only. Its "fields" member is added below: a serializer's own `fields` attribute
    would hide a field declared under that name."""


ValidationErrorSerializer._declared_fields["fields"] = serializers.DictField(
    child=serializers.ListField(child=serializers.CharField()), required=False,
    help_text=_("Each field's errors, as the page's form shows them; “non_field_errors” for the request as a whole."),
)
