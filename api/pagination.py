"""Cursor pagination by key ("seek"), for every list of the API: no COUNT, no OFFSET, so a page deep in
the list costs what the first costs, and rows added meanwhile neither repeat nor vanish.

Each list has a fixed order of non-null keys ending with the id (the view's `get_ordering()`); the
`next` and `previous` links carry the keys of the last or first row shown. A cursor that does not
decode, or does not fit the list's keys, starts from the first page (never an error)."""

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

MAX_CURSOR_LENGTH = 2048
MAX_INT = 2**62


def seek_condition(keys, values, *, forward: bool) -> Q:
    """Rows strictly after `values` in the order `keys` ((name, descending) pairs), or before them:
    (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ..., with the first key's bound repeated on its own so
    an index on the keys starts its scan at the cursor."""
    condition, equal = Q(), {}
    for (name, desc), value in zip(keys, values, strict=True):
        condition |= Q(**equal, **{f"{name}__{'lt' if desc == forward else 'gt'}": value})
        equal[name] = value
    first, desc = keys[0]
    return Q(**{f"{first}__{'lte' if desc == forward else 'gte'}": values[0]}) & condition


def _value(row, name):
    for part in name.split("__"):
        row = getattr(row, part)
    return row


def _dump(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _field(model, name):
    opts, field = model._meta, None
    for part in name.split("__"):
        field = opts.pk if part == "pk" else opts.get_field(part)
        if field.related_model is not None:
            opts = field.related_model._meta
    return field


class KeysetPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_description = _(
        "Where the page starts: copy it from the “next” or “previous” link of another page. A cursor that is "
        "not one starts from the first page."
    )
    page_size_query_description = _("Rows per page: 50 unless asked, at most 200.")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        ordering = view.pagination_ordering() if hasattr(view, "pagination_ordering") else view.ordering
        self.keys = [(o.lstrip("-"), o.startswith("-")) for o in ordering]
        direction, values = self.decode(request.query_params.get(self.cursor_query_param, ""), queryset.model)
        if direction == "b":
            rows = self._fetch(queryset, values, forward=False)
            if rows:
                self.has_previous = len(rows) > self.page_size
                self.has_next = True
                self.page = list(reversed(rows[: self.page_size]))
                return self.page
            values = None  # nothing before the cursor: the first page
        rows = self._fetch(queryset, values, forward=True)
        self.has_next = len(rows) > self.page_size
        self.has_previous = values is not None
        self.page = rows[: self.page_size]
        return self.page

    def _fetch(self, queryset, values, *, forward: bool) -> list:
        if values is not None:
            queryset = queryset.filter(seek_condition(self.keys, values, forward=forward))
        ordering = [("-" if desc == forward else "") + name for name, desc in self.keys]
        return list(queryset.order_by(*ordering)[: self.page_size + 1])

    # --- links and cursors

    def get_next_link(self):
        if not (self.has_next and self.page):
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.encode("a", self.page[-1]))

    def get_previous_link(self):
        if not (self.has_previous and self.page):
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.encode("b", self.page[0]))

    def encode(self, direction: str, row) -> str:
        raw = json.dumps([direction, [_dump(_value(row, name)) for name, _desc in self.keys]], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode(self, cursor: str, model):
        """(direction "a" or "b", key values), or ("a", None) for anything that is not a cursor of this list."""
        if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            return "a", None
        try:
            direction, raw_values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            return "a", None
        if direction not in ("a", "b") or not isinstance(raw_values, list) or len(raw_values) != len(self.keys):
            return "a", None
        values = []
        for (name, _desc), raw in zip(self.keys, raw_values, strict=True):
            if raw is None or isinstance(raw, list | dict | bool) or (isinstance(raw, str) and "\x00" in raw):
                return "a", None
            if isinstance(raw, int) and abs(raw) > MAX_INT:
                return "a", None
            try:
                value = _field(model, name).to_python(raw)
            except (ValidationError, ValueError, TypeError, OverflowError, FieldDoesNotExist):
                return "a", None
            if value is None or (isinstance(value, datetime) and timezone.is_naive(value)):
                return "a", None
            if isinstance(value, int) and abs(value) > MAX_INT:
                return "a", None
            if isinstance(value, date) and not 1900 <= value.year <= 2100:
                return "a", None
            values.append(value)
        return direction, values
