"""Every error the API answers has one shape, documented in the schema (api.schema):

    {"detail": "<a sentence in the request's language>", "code": "<machine code>"}

and, for invalid input (400), the messages of each field, the same the pages' forms show:

    {"detail": "...", "code": "invalid", "fields": {"<field>": ["<message>", ...], "non_field_errors": [...]}}

A service's django ValidationError becomes a 400 when it names fields; one that names none refuses
the request because of the record's state (not a draft, every position filled, already applied):
that is a 409 Conflict. A PermissionDenied is a 403 with its message; an object the caller may not
see is a 404. Nothing raised by bad input becomes a 500."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"
INVALID_DETAIL = _("The request is not valid: each field's errors are under “fields”.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the record.")
    default_code = "conflict"


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [force_str(value)]


def field_errors(detail, aliases: dict | None = None) -> dict[str, list[str]]:
    """{field: [messages]} from a DRF error detail or a django ValidationError's message_dict."""
    if not isinstance(detail, dict):
        return {NON_FIELD: _messages(detail)}
    out: dict[str, list[str]] = {}
    for field, value in detail.items():
        name = NON_FIELD if field in (NON_FIELD_ERRORS, None, "") else (aliases or {}).get(field, field)
        out.setdefault(name, []).extend(_messages(value))
    return out


def from_service_error(exc: DjangoValidationError, aliases: dict | None = None) -> exceptions.APIException:
    """A service's refusal: field errors -> 400; a refusal that names no field (the record's state) -> 409."""
    if hasattr(exc, "error_dict"):
        errors = field_errors(exc.message_dict, aliases)
        if set(errors) - {NON_FIELD}:
            return exceptions.ValidationError(errors)
        return Conflict(" ".join(errors[NON_FIELD]))
    return Conflict(" ".join(force_str(m) for m in exc.messages))


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = from_service_error(exc)
    elif isinstance(exc, IntegrityError):  # a constraint a service did not check first (a race)
        exc = Conflict()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(force_str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": force_str(INVALID_DETAIL), "code": "invalid", "fields": field_errors(exc.detail)}
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        if isinstance(detail, list | dict):
            detail = " ".join(_messages(detail))
        response.data = {"detail": force_str(detail), "code": force_str(code)}
        if response.status_code == 400:  # a body that does not parse: no field to blame
            response.data["fields"] = {}
    return response
