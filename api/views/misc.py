"""The caller (`me`), the roster dashboard's figures, the API's index and its documentation pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import officer_for_user
from roster.dashboard import dashboard_summary

from ..permissions import token_of
from ..serializers import AgencyRefSerializer, MissionRefSerializer, StrengthSerializer
from .base import ApiMixin

# --- me ----------------------------------------------------------------------------------------------


class TokenInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField()
    scope = serializers.ChoiceField(choices=["read", "read_write"])
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.ChoiceField(choices=["ipo_staff", "coordinator", "officer"])
    agency = AgencyRefSerializer(allow_null=True)
    preferred_language = serializers.CharField()
    officer = serializers.IntegerField(allow_null=True, help_text=_("An officer's own officer record (id)."))
    token = TokenInfoSerializer(allow_null=True, help_text=_("The token of this request (null for a session)."))


class MeView(ApiMixin, APIView):
    @extend_schema(responses=MeSerializer, description=_(
        "Who you are to the API: your login, role and agency, your officer record if you are an officer, and the "
        "token you called with."))
    def get(self, request):
        user = request.user
        officer = officer_for_user(user)
        token = token_of(request)
        return Response(MeSerializer({
            "id": user.pk, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "role": user.role, "agency": user.agency, "preferred_language": user.preferred_language,
            "officer": officer.pk if officer else None,
            "token": {"name": token.name, "prefix": token.prefix, "scope": token.scope,
                      "expires_at": token.expires_at} if token else None,
        }).data)


# --- the dashboard -----------------------------------------------------------------------------------

class ShareSerializer(serializers.Serializer):
    in_mission = serializers.IntegerField()
    planned = serializers.IntegerField()
    filled = serializers.IntegerField()


class MissionRowSerializer(serializers.Serializer):
    mission = MissionRefSerializer()
    strength = StrengthSerializer(help_text=_("The program's figures, the same for everyone."))
    own = ShareSerializer(allow_null=True, help_text=_("For a coordinator: their agency's officers among them."))


class PersonNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class EndingSoonSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The deployment (id)."))
    officer = PersonNameSerializer()
    mission = serializers.CharField(help_text=_("The mission's code."))
    role = serializers.CharField()
    planned_end_date = serializers.DateField()
    days_left = serializers.IntegerField()


class ExpiringClearanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The clearance (id)."))
    officer = PersonNameSerializer()
    kind = serializers.CharField()
    valid_until = serializers.DateField()
    days_left = serializers.IntegerField(help_text=_("Negative once expired."))


class DashboardSerializer(serializers.Serializer):
    today = serializers.DateField()
    program = StrengthSerializer(help_text=_("Officers against the program ceiling."))
    missions = MissionRowSerializer(many=True)
    share = ShareSerializer(allow_null=True, help_text=_("For a coordinator: their agency's officers on the roster."))
    deployed = serializers.IntegerField(help_text=_("In mission now."))
    planned = serializers.IntegerField()
    rcmp = serializers.IntegerField()
    partner = serializers.IntegerField()
    rcmp_pct = serializers.FloatField(allow_null=True)
    partner_pct = serializers.FloatField(allow_null=True)
    women = serializers.IntegerField()
    women_pct = serializers.FloatField(allow_null=True)
    women_target = serializers.IntegerField()
    nominees = serializers.IntegerField(help_text=_("Nominations over the last 12 months."))
    women_nominees = serializers.IntegerField()
    women_nominees_pct = serializers.FloatField(allow_null=True)
    women_nominee_target = serializers.IntegerField()
    nominees_since = serializers.DateField()
    ending_soon_days = serializers.IntegerField()
    ending_soon_count = serializers.IntegerField()
    ending_soon = EndingSoonSerializer(many=True, help_text=_("The first 50, soonest first."))
    clearance_warning_days = serializers.IntegerField()
    clearances_count = serializers.IntegerField()
    clearances = ExpiringClearanceSerializer(many=True, help_text=_("The first 50, soonest first."))


def _name(officer):
    return {"id": officer.pk, "first_name": officer.first_name, "last_name": officer.last_name}


class DashboardView(ApiMixin, APIView):
    roles = ("ipo_staff", "coordinator")

    @extend_schema(responses=DashboardSerializer, description=_(
        "The roster dashboard's figures: each mission's strength and the program's against its ceiling (the "
        "same for everyone), and, over what you may see, officers deployed and planned, partner agencies and "
        "RCMP, women deployed and nominated against their targets, tours ending soon with no relief and "
        "clearances expiring. A coordinator's figures are their agency's."))
    def get(self, request):
        c = dashboard_summary(request.user)
        data = {key: c[key] for key in DashboardSerializer._declared_fields if key in c and not isinstance(
            DashboardSerializer._declared_fields[key], serializers.BaseSerializer)}
        data.update({
            "program": c["program"],  # a Strength and AgencyShares: their serializers read their attributes
            "missions": [{"mission": row.mission, "strength": row.strength, "own": row.own} for row in c["missions"]],
            "share": c["share"],
            "ending_soon": [{"id": d.pk, "officer": _name(d.officer), "mission": d.mission.code, "role": d.role,
                             "planned_end_date": d.planned_end_date, "days_left": d.days_left}
                            for d in c["ending_soon"]],
            "clearances": [{"id": cl.pk, "officer": _name(cl.officer), "kind": cl.kind,
                            "valid_until": cl.valid_until, "days_left": cl.days_left} for cl in c["clearances"]],
        })
        return Response(DashboardSerializer(data).data)


# --- the index and the documentation ------------------------------------------------------------------

class IndexSerializer(serializers.Serializer):
    schema = serializers.CharField(help_text=_("The OpenAPI 3 schema."))
    docs = serializers.CharField(help_text=_("The browsable documentation."))
    tokens = serializers.CharField(help_text=_("Where a signed-in person makes API tokens."))


class IndexView(ApiMixin, APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=IndexSerializer, auth=[], description=_(
        "Where the schema, the documentation and the token page are. Open to everyone."))
    def get(self, request):
        return Response({"schema": reverse("api:schema"), "docs": reverse("api:docs"),
                         "tokens": reverse("accounts:api-tokens")})


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema; ?lang=fr (or Accept-Language) for French descriptions."""


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the vendored files of drf-spectacular-sidecar; its start-up script is a separate
    file, so the page runs under the Content Security Policy with no inline script."""

    url_name = "api:schema"
    template_name = "api/swagger_ui.html"
