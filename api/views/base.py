"""What every API view shares: the caller's language, the audit trail's actor, 404 for an id no
record can have, the pagination's order, and the service calls' errors."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import exceptions, viewsets

from agencies.validators import bounded_id

from ..exceptions import from_service_error
from ..permissions import RoleRequired


def accepted_language(request) -> str | None:
    """The first language of the Accept-Language header the roster speaks, if any."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if not header or len(header) > 500:
        return None
    for code, _q in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


@contextmanager
def service_errors(aliases: dict | None = None):
    """Run a service: its django ValidationError becomes the API's 400 (fields) or 409 (state), with
    the service's field names turned into the request's (`aliases`)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise from_service_error(exc, aliases)


class ApiMixin:
    """Answers a token's requests in the language of Accept-Language, else the caller's preferred
    language (a session's requests, and anonymous ones, follow the pages' rule: the language switch,
    the preferred language, Accept-Language); records the caller as the actor of the changes a
    request makes (django-auditlog's middleware ran before the token was read)."""

    permission_classes = [RoleRequired]
    roles: tuple | dict | None = None
    ordering: tuple = ("-id",)

    def initial(self, request, *args, **kwargs):
        bearer = request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        language = accepted_language(request) if bearer else None
        if language:
            translation.activate(language)
        super().initial(request, *args, **kwargs)
        user = request.user
        if not user.is_authenticated:
            return
        if bearer and not language and user.preferred_language:
            translation.activate(user.preferred_language)
        from auditlog.context import auditlog_value

        context = auditlog_value.get(None)
        if context is not None and context.get("actor") is None:
            context["actor"] = user

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        # An answer to a signed-in caller may carry personal data: accounts.middleware.NoStoreMiddleware
        # marks it no-store. It reads the session's user; a token's caller is named here, not left to
        # DRF copying its user onto the request the middleware sees. The caller as DRF found it, if it
        # did: reading `request.user` here would authenticate (and raise) after an earlier error.
        user = vars(request).get("_user")
        if user is not None and user.is_authenticated:
            response.personal_data = True
        return response

    def get_ordering(self):
        return self.ordering

    def pagination_ordering(self):
        return getattr(self, "_ordering_override", None) or self.get_ordering()


class ApiViewSet(ApiMixin, viewsets.GenericViewSet):
    def get_object(self):
        lookup = self.lookup_url_kwarg or self.lookup_field
        if bounded_id(self.kwargs.get(lookup)) is None:
            raise exceptions.NotFound()
        return super().get_object()

    def paginated(self, queryset, serializer_class=None, *, ordering=None, **context):
        """A page of `queryset` (in `ordering`, else the view's) serialized, and its rows."""
        self._ordering_override = ordering
        page = self.paginate_queryset(queryset)
        serializer = (serializer_class or self.get_serializer_class())(
            page, many=True, context={**self.get_serializer_context(), **context}
        )
        return self.get_paginated_response(serializer.data), page


def visible_or_404(queryset, value):
    """The row of `queryset` (a visibility selector) with this id, or 404 (never an overflow)."""
    pk = bounded_id(value)
    obj = queryset.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise exceptions.NotFound()
    return obj
