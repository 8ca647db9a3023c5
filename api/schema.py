"""The OpenAPI schema (drf-spectacular): every operation also documents the errors it may answer,
in the one shape api.exceptions gives them, and the token scheme is described."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

ERRORS = {
    "400": _("The request is not valid: the fields' errors are under “fields”, in the request's language."),
    "401": _("Not signed in: no API token, or one that does not work (revoked, expired, the login deactivated, "
             "locked, or without the two-step verification its role requires); the message says which."),
    "403": _("Signed in, but this action is not allowed: not for your role, not on this record, or a read-only "
             "token asked to change something."),
    "404": _("No such record, or one you may not see."),
    "409": _("Refused because of the record's state (for example: not a draft, every position already "
             "filled, already applied); the message says why."),
    "429": _("Too many requests with this token: wait the seconds the Retry-After header gives."),
}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AutoSchema(SpectacularAutoSchema):
    def error_codes(self) -> list[str]:
        codes = ["400", "401", "403"]
        if "{" in self.path:
            codes.append("404")
        if self.method in UNSAFE:
            codes.append("409")
        codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        from .serializers import ErrorSerializer, ValidationErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code in responses:
                continue
            serializer = ValidationErrorSerializer if code == "400" else ErrorSerializer
            response = self._get_response_for_code(serializer, code, media_types=["application/json"],
                                                   direction=direction)
            response["description"] = str(ERRORS[code])
            responses[code] = response
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("A personal API token, made on the roster's “API tokens” page (in your account "
                                 "menu): “Authorization: Bearer rst_…”. It acts with your role's rights; a "
                                 "read-only token only reads.")),
        }
