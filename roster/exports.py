"""CSV and Excel (XLSX) exports of the roster, a bulletin's applicants and the deployments in a range.

The views hand in the visibility-scoped querysets the pages use (`deployment_visible_to`,
`application_visible_to`), so an export holds exactly the rows its user may see; a sensitive
repatriation reason is written as the pages show it to that user (selectors.repatriation_reason_for).
Each table is read in one query. Column headers are translated into the active language.

Cells are guarded against CSV/formula injection: a text cell starting with = + - @ (or a tab or
carriage return) is prefixed with a single quote, in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .medals import days_served
from .models import Application, Deployment
from .selectors import repatriation_reason_for

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%Y-%m-%d"


def safe_cell(value):
    """A text cell a spreadsheet would read as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass
class Table:
    title: str  # the sheet's title
    filename: str  # without the extension
    headers: list[str]
    rows: Iterable[list]


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def local_naive(value: datetime | None) -> datetime | None:
    """Spreadsheets have no time zones: datetimes are written in local (Ottawa) time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return safe_cell(value)


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    # A byte-order mark lets Excel open the UTF-8 file with its accents intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31] or "Sheet")
    sheet.freeze_panes = "A2"
    header = []
    for title in table.headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(title))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS: dict[str, Callable[[Table], bytes]] = {"csv": to_csv, "xlsx": to_xlsx}


def export_response(table: Table, fmt: str) -> HttpResponse:
    if fmt not in WRITERS:
        raise ValueError(fmt)
    response = HttpResponse(WRITERS[fmt](table), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


# --- the tables ----------------------------------------------------------------------------


def _deployment_headers() -> list[str]:
    return [
        _("Last name"),
        _("First name"),
        _("Badge number"),
        _("Rank"),
        _("Gender"),
        _("Agency"),
        _("Agency kind"),
        _("Mission"),
        _("Mission name"),
        _("Role"),
        _("Status"),
        _("Start date"),
        _("Planned end date"),
        _("Actual end date"),
        _("Days served"),
    ]


def _deployment_row(d: Deployment, today: date) -> list:
    o = d.officer
    return [
        o.last_name,
        o.first_name,
        o.badge_number,
        o.get_rank_display(),
        o.get_gender_display(),
        o.agency.name,
        o.agency.get_kind_display(),
        d.mission.code,
        d.mission.name,
        d.role,
        d.get_status_display(),
        d.start_date,
        d.planned_end_date,
        d.actual_end_date,
        days_served(d, today=today),
    ]


def roster_table(deployments: QuerySet[Deployment], *, today: date | None = None) -> Table:
    """`deployments`: the user's current roster (selectors.roster_for(user)), ordered here by mission and name."""
    today = today or timezone.localdate()
    qs = deployments.order_by("mission__code", "officer__last_name", "officer__first_name", "id")
    return Table(
        title=_("Roster"),
        filename=f"roster-{today:%Y-%m-%d}",
        headers=_deployment_headers(),
        rows=(_deployment_row(d, today) for d in qs.iterator(chunk_size=2000)),
    )


def deployments_table(
    deployments: QuerySet[Deployment], start: date, end: date, *, user, today: date | None = None
) -> Table:
    """`deployments`: the user's deployments overlapping [start, end] (dashboard.deployments_overlapping).
    The repatriation reason is written as `user` may read it (selectors.repatriation_reason_for)."""
    today = today or timezone.localdate()
    qs = deployments.order_by("start_date", "officer__last_name", "id")
    return Table(
        title=_("Deployments"),
        filename=f"deployments-{start:%Y-%m-%d}-{end:%Y-%m-%d}",
        headers=[*_deployment_headers(), _("Repatriation reason")],
        rows=(
            [*_deployment_row(d, today), str(repatriation_reason_for(user, d))]
            for d in qs.iterator(chunk_size=2000)
        ),
    )


def applicants_table(bulletin, applications: QuerySet[Application]) -> Table:
    """`applications`: application_visible_to(user) for one bulletin."""
    qs = applications.order_by("officer__last_name", "officer__first_name", "id")
    headers = [
        _("Bulletin"),
        _("Last name"),
        _("First name"),
        _("Badge number"),
        _("Rank"),
        _("Gender"),
        _("Agency"),
        _("Status"),
        _("Nominated by the agency"),
        _("Meets every requirement"),
        _("Submitted at"),
        _("Updated at"),
    ]

    def rows():
        for a in qs.iterator(chunk_size=2000):
            o = a.officer
            yield [
                bulletin.reference,
                o.last_name,
                o.first_name,
                o.badge_number,
                o.get_rank_display(),
                o.get_gender_display(),
                o.agency.name,
                a.get_status_display(),
                yes_no(a.nominated_by_id is not None),
                yes_no(not a.ineligible),
                local_naive(a.created_at),
                local_naive(a.updated_at),
            ]

    return Table(
        title=_("Applicants"),
        filename=f"applicants-{slugify(bulletin.reference) or bulletin.pk}",
        headers=headers,
        rows=rows(),
    )


# --- input -------------------------------------------------------------------------------


def parse_date_range(start: str | None, end: str | None) -> tuple[date, date]:
    """Both dates as YYYY-MM-DD, the start on or before the end; else a ValidationError saying why."""
    messages = {
        "start": (_("Enter a start date."), _("The start date “%(value)s” is not a valid date: use YYYY-MM-DD.")),
        "end": (_("Enter an end date."), _("The end date “%(value)s” is not a valid date: use YYYY-MM-DD.")),
    }
    errors = []
    parsed = {}
    for key, raw in (("start", start), ("end", end)):
        missing, invalid = messages[key]
        raw = (raw or "").strip()
        if not raw:
            errors.append(missing)
            continue
        try:
            parsed[key] = datetime.strptime(raw, DATE_FORMAT).date()
        except ValueError:
            errors.append(invalid % {"value": raw[:20]})
    if errors:
        raise ValidationError(errors)
    if parsed["start"] > parsed["end"]:
        raise ValidationError(_("The start date must be on or before the end date."))
    return parsed["start"], parsed["end"]
