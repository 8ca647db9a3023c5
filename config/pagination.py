"""Keyset ("seek") pagination for lists that grow without bound: no COUNT, no OFFSET.

A list is read in a fixed order of non-null keys that ends with the primary key, e.g.
`("-created_at", "-id")`. A page is the `size` rows after (or before) a cursor, the key of the last
(or first) row shown, found by a condition on the keys that an index on the same keys serves; one
more row is fetched to know whether there is a next page. Deep pages cost what the first costs.

    page = seek_page(queryset, order=("-created_at", "-id"), size=50,
                     after=request.GET.get("after", ""), before=request.GET.get("before", ""))

The cursor is opaque in the URL (`?after=...`, `?before=...`); one that does not decode, or does not
fit the keys, starts from the top (never an error). The template includes "partials/seek_pager.html".

A list whose rule is an OR of conditions each served by its own index (a person's messages: by
login, or by address) may be given as a tuple of querysets, one per condition (a row may be in
several): on a database that can order and limit each part of a UNION (PostgreSQL), each part reads
one page of its own index and the UNION of those few rows (duplicates removed) is ordered; elsewhere
the parts are OR-ed into one query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from uuid import UUID

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import BooleanField, F, Func, IntegerField, Q, QuerySet, Value
from django.utils import timezone

# A cursor longer than this is not one of ours.
MAX_CURSOR_LENGTH = 1024


@dataclass
class SeekPage:
    """One page of a keyset-paginated list. Iterate it for its rows (`object_list`)."""

    object_list: list
    has_next: bool = False
    has_previous: bool = False
    next_cursor: str = ""
    previous_cursor: str = ""
    size: int = 0
    order: tuple[str, ...] = field(default=(), repr=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def is_first(self) -> bool:
        return not self.has_previous


Source = QuerySet | Sequence[QuerySet]


def seek_page(source: Source, *, order: Sequence[str], size: int, after: str = "", before: str = "") -> SeekPage:
    """The page of `source` in `order` that follows the cursor `after`, or precedes `before` (with
    neither, or a malformed one, the first page). `order`: field names, "-" for descending, each
    non-null, the last one unique (the primary key). `source`: a queryset, or a tuple of querysets
    of one model whose union is the list (see the module's docstring)."""
    parts = (source,) if isinstance(source, QuerySet) else tuple(source)
    if not parts:
        raise ValueError("seek_page needs a queryset")
    keys = _keys(order)
    model = parts[0].model
    after_values = decode_cursor(after, model, keys) if after else None
    before_values = decode_cursor(before, model, keys) if before and after_values is None else None

    if before_values is not None:
        rows = _fetch(parts, keys, before_values, forward=False, limit=size + 1)
        if rows:
            more_before = len(rows) > size
            rows = list(reversed(rows[:size]))
            return _page(rows, keys, size, has_next=True, has_previous=more_before)
        # nothing before the cursor: show the first page rather than an empty one

    rows = _fetch(parts, keys, after_values, forward=True, limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return _page(rows, keys, size, has_next=more, has_previous=after_values is not None)


def _page(rows, keys, size, *, has_next, has_previous) -> SeekPage:
    return SeekPage(
        object_list=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous,
        next_cursor=encode_cursor(rows[-1], keys) if has_next and rows else "",
        previous_cursor=encode_cursor(rows[0], keys) if has_previous and rows else "",
        size=size,
        order=tuple(("-" if desc else "") + name for name, desc in keys),
    )


def _keys(order: Sequence[str]) -> list[tuple[str, bool]]:
    keys = [(o[1:], True) if o.startswith("-") else (o, False) for o in order]
    if not keys or any(not name or name.startswith("?") for name, _ in keys):
        raise ValueError(f"seek_page needs named keys, got {order!r}")
    return keys


def _ordering(keys, forward: bool) -> list[str]:
    return [("-" if desc == forward else "") + name for name, desc in keys]


class RowCompare(Func):
    """`(k1, k2, ...) < (v1, v2, ...)` (or another operator): a row comparison, which a B-tree index
    on (k1, k2, ...) answers as one range, ties on the first keys included (PostgreSQL, SQLite)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, names: Sequence[str], values: Sequence, op: str, model):
        if op not in ("<", ">"):
            raise ValueError(op)
        fields = [_field(model, name) for name in names]
        super().__init__(*(F(name) for name in names), *(Value(v, output_field=f) for v, f in zip(values, fields,
                                                                                               strict=True)))
        self.op, self.width = op, len(names)

    def as_sql(self, compiler, connection, **extra_context):
        sqls, params = [], []
        for expression in self.get_source_expressions():
            sql, sql_params = compiler.compile(expression)
            sqls.append(sql)
            params.extend(sql_params)
        n = self.width
        return f"({', '.join(sqls[:n])}) {self.op} ({', '.join(sqls[n:])})", params


def seek_condition(keys: Sequence[tuple[str, bool]], values: Sequence, *, forward: bool = True, model=None):
    """Rows strictly after `values` in the order `keys` ((name, descending) pairs), or before them
    when not `forward`. When every key goes the same way (and `model` is given): one row comparison,
    (k1, k2) < (v1, v2), that the index on (k1, k2) answers as a range. Otherwise (k1 > v1) OR
    (k1 = v1 AND k2 > v2) OR ..., with ">" turned for descending keys and backward pages, and the
    first key's bound (k1 >= v1) repeated on its own so that the index scan starts at the cursor."""
    directions = {desc for _, desc in keys}
    if model is not None and len(directions) == 1:
        (desc,) = directions
        return RowCompare([name for name, _ in keys], values, "<" if desc == forward else ">", model)
    condition = Q()
    equal: dict = {}
    for (name, desc), value in zip(keys, values, strict=True):
        lookup = "lt" if desc == forward else "gt"
        condition |= Q(**equal, **{f"{name}__{lookup}": value})
        equal[name] = value
    first, desc = keys[0]
    bound = Q(**{f"{first}__{'lte' if desc == forward else 'gte'}": values[0]})
    return bound & condition


def _fetch(parts, keys, values, *, forward: bool, limit: int) -> list:
    ordering = _ordering(keys, forward)
    condition = seek_condition(keys, values, forward=forward, model=parts[0].model) if values is not None else None

    def narrowed(qs):
        return qs.filter(condition) if condition is not None else qs

    if len(parts) == 1:
        return list(narrowed(parts[0]).order_by(*ordering)[:limit])
    connection = connections[parts[0].db]
    if connection.features.supports_slicing_ordering_in_compound:
        pieces = [narrowed(p).order_by(*ordering)[:limit] for p in parts]
        return list(pieces[0].union(*pieces[1:]).order_by(*ordering)[:limit])
    return list(narrowed(reduce(or_, parts)).order_by(*ordering)[:limit])


# --- cursors -------------------------------------------------------------------------------------

def _value_of(row, name: str):
    if isinstance(row, dict):
        return row[name]
    obj = row
    for part in name.split("__"):
        obj = obj.pk if part == "pk" else getattr(obj, part)
    return obj


def _dump(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def encode_cursor(row, keys: Sequence[tuple[str, bool]]) -> str:
    """The cursor of `row` (a model instance or a dict) for the order `keys`."""
    raw = json.dumps([_dump(_value_of(row, name)) for name, _ in keys], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _field(model, name: str):
    opts = model._meta
    parts = name.split("__")
    for i, part in enumerate(parts):
        f = opts.pk if part == "pk" else opts.get_field(part)
        if i == len(parts) - 1:
            return f
        opts = f.related_model._meta
    raise FieldDoesNotExist(name)


def decode_cursor(cursor: str, model, keys: Sequence[tuple[str, bool]]):
    """The key values a cursor holds, each converted by its model field, or None when it is not a
    well-formed cursor for these keys."""
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, list) or len(data) != len(keys):
        return None
    values = []
    for (name, _), raw_value in zip(keys, data, strict=True):
        if raw_value is None or isinstance(raw_value, list | dict | bool):
            return None
        if isinstance(raw_value, str) and "\x00" in raw_value:  # no text column holds one (PostgreSQL refuses it)
            return None
        try:
            field_ = _field(model, name)
            value = field_.to_python(raw_value)
            if value is not None and isinstance(field_, IntegerField):
                field_.run_validators(value)  # an integer beyond its column's range
        except (ValidationError, ValueError, TypeError, OverflowError, FieldDoesNotExist, AttributeError):
            return None
        if value is None:
            return None
        if isinstance(value, datetime):
            if timezone.is_naive(value):
                return None
            try:
                value.astimezone(UTC)  # a moment near year 1 or 9999 that UTC cannot write
            except OverflowError:
                return None
        values.append(value)
    return values


# --- counts without a full COUNT -----------------------------------------------------------------

def capped_counts(queryset: QuerySet, *, field_name: str, values: Iterable, cap: int) -> dict:
    """How many rows of `queryset` have each of `values` in `field_name`, counting no further than
    `cap` + 1 (a result above `cap` means "more than cap"). One query: a UNION ALL of one LIMITed
    count per value, each served by an index that starts with `field_name`."""
    values = list(values)
    counts = {value: 0 for value in values}
    parts, params = [], []
    for i, value in enumerate(values):
        sub = queryset.filter(**{field_name: value}).order_by().values("pk")[: cap + 1]
        try:
            sql, sub_params = sub.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            continue
        parts.append(f"SELECT {int(i)} AS i, COUNT(*) AS n FROM ({sql}) capped_{int(i)}")
        params.extend(sub_params)
    if not parts:
        return counts
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for i, n in cursor.fetchall():
            counts[values[i]] = n
    return counts


# --- rows of a page ------------------------------------------------------------------------------

# A primary key no row has: its place in a reversed URL is where each row's goes.
_MARKER = 2147483647


def url_for_each(name: str, *args) -> Callable[[object], str]:
    """`reverse(name, args=[pk, *args])` for many rows at the cost of one reverse: `url(pk)`."""
    from django.urls import reverse

    head, tail = reverse(name, args=[_MARKER, *args]).split(str(_MARKER))
    return lambda pk: f"{head}{pk}{tail}"


def set_row_urls(rows: Iterable, **names: str) -> None:
    """Give each row an attribute per URL name, its address with the row's pk (the URL's only
    argument), reversing each name once per page rather than once per row (`url_for_each`):
    `set_row_urls(page, url="agencies:officer-detail", edit_url="agencies:officer-edit")`."""
    urls = {attr: url_for_each(name) for attr, name in names.items()}
    for row in rows:
        for attr, url in urls.items():
            setattr(row, attr, url(row.pk))


# Format characters finer than a minute (django.utils.dateformat): with none of them, two moments in
# the same minute read the same, so a page formats each minute once.
_FINER_THAN_A_MINUTE = set("sucUrOTeIZ")
# Format characters of the time of day or the zone: with none of them (a day's format, such as
# SHORT_DATE_FORMAT), two moments of the same local day read the same, so a page formats each day once.
_TIME_OF_DAY = _FINER_THAN_A_MINUTE | set("aABfgGhHiP")


def set_row_datetimes(rows: Iterable, fmt: str = "SHORT_DATETIME_FORMAT", **attrs: str) -> None:
    """Give each row its moments in words, in local time, formatted once per distinct minute on the
    page rather than once per cell: `set_row_datetimes(page, created_text="created_at")`. Days
    (dates) too, once per distinct day: `set_row_datetimes(page, "SHORT_DATE_FORMAT", start_text=
    "start_date")`. A value that is None gives ""."""
    from django.utils.formats import date_format, get_format

    chars = set(get_format(fmt))
    by_day, by_minute = not (_TIME_OF_DAY & chars), not (_FINER_THAN_A_MINUTE & chars)
    seen: dict = {}
    for row in rows:
        for attr, source in attrs.items():
            value = getattr(row, source)
            if value is None:
                setattr(row, attr, "")
                continue
            if not isinstance(value, datetime):  # a day
                local = key = value
            else:
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                key = local.date() if by_day else local.replace(second=0, microsecond=0) if by_minute else local
            text = seen.get(key)
            if text is None:
                text = seen[key] = date_format(local, fmt)
            setattr(row, attr, text)


# --- a list's filters, without a template per widget -----------------------------------------------

def filter_fields(form) -> dict:
    """A GET filter form as plain data for "partials/list_filters.html": its fields, in the columns
    of its crispy layout (Layout(Row(Column(name, css_class=...), ..., Column(StrictButton(...))))),
    each with its label, value, options and errors, and the submit button's label. Rendering this
    costs a few loops; rendering the form through crispy and the widget templates costs a template
    per field and per option (most of a list page's time)."""
    from django.forms import CheckboxInput, Select

    columns, button = [], None
    for row in form.helper.layout.fields:
        for column in getattr(row, "fields", [row]):
            inner = column.fields[0] if getattr(column, "fields", None) else column
            css = getattr(column, "css_class", "") or ""
            if isinstance(inner, str):
                columns.append((inner, css))
            elif hasattr(inner, "content"):
                button = (str(inner.content), css)
    fields = []
    bound = form.is_bound
    for name, css in columns:
        if name not in form.fields:
            continue
        bf = form[name]
        widget = bf.field.widget
        value = bf.value()
        entry = {
            "name": bf.html_name, "id": bf.auto_id, "label": str(bf.label), "css": css,
            "errors": [str(e) for e in bf.errors] if bound else [],
        }
        if isinstance(widget, CheckboxInput):
            entry["kind"] = "checkbox"
            entry["checked"] = bool(widget.check_test(value))
        elif isinstance(widget, Select) and not widget.allow_multiple_selected:
            current = "" if value is None else str(value)
            entry["kind"] = "select"
            entry["options"] = [(str(v), str(label), str(v) == current) for v, label in bf.field.choices]
        else:
            entry["kind"] = "input"
            entry["type"] = getattr(widget, "input_type", "text")
            entry["value"] = "" if value is None else str(value)
            entry["placeholder"] = str(widget.attrs.get("placeholder", ""))
        fields.append(entry)
    attrs = getattr(form.helper, "attrs", None) or {}
    return {"fields": fields, "button": button, "aria_label": str(attrs.get("aria-label", ""))}
