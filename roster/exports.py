"""CSV and Excel (XLSX) exports of the roster, a bulletin's applicants and the deployments in a range.

The views hand in the visibility-scoped querysets the pages use (`deployment_visible_to`,
`application_visible_to`), so an export holds exactly the rows its user may see; a sensitive
repatriation reason is written as the pages show it to that user (selectors.repatriation_reason_for).
Column headers and labels are in the language active when the export was asked for.

Exports stream, so memory stays flat however many rows there are. Each table is read in one query,
`CHUNK_SIZE` rows at a time (QuerySet.iterator). A CSV is written as it is sent
(StreamingHttpResponse): its query runs when the server starts sending the body, and the number of
rows is counted first by a cheap COUNT. An XLSX is written row by row by an openpyxl write-only
workbook into a temporary file (in memory up to `XLSX_SPOOL_BYTES`, then on disk), counting the
rows as they are written, and sent from it (FileResponse). Either way the caller's `record` (the
audit entry) gets the count before any row leaves.

Choice labels (status, rank, gender, agency kind) are looked up in a dict built once per export
(`labels`), not with get_FOO_display(), which rebuilds the field's choices on every call.

Cells are guarded against CSV/formula injection: a text cell starting with = + - @ (or a tab or
carriage return) is prefixed with a single quote, in both formats.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agencies.models import Agency, Officer

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
CHUNK_SIZE = 2000  # rows fetched from the database at a time
CSV_CHUNK_CHARS = 64 * 1024  # a streamed CSV is sent in pieces of about this size
XLSX_SPOOL_BYTES = 1024 * 1024  # a bigger workbook is written to disk before it is sent


def safe_cell(value):
    """A text cell a spreadsheet would read as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def labels(choices) -> dict[str, str]:
    """{value: label} of a TextChoices (or of (value, label) pairs), each label translated into
    the active language once. Look a value up as get_FOO_display() would: `.get(value, value)`."""
    return {value: str(label) for value, label in getattr(choices, "choices", choices)}


@dataclass
class Table:
    title: str  # the sheet's title
    filename: str  # without the extension
    headers: list[str]
    objects: QuerySet  # ordered; one row per object
    row: Callable[[Any], list]  # an object's cells

    def rows(self) -> Iterator[list]:
        """The rows, read CHUNK_SIZE at a time; the query runs at the first one. Close the
        iterator to release the database cursor before the end."""
        objects = self.objects.iterator(chunk_size=CHUNK_SIZE)
        try:
            for obj in objects:
                yield self.row(obj)
        finally:
            objects.close()


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


def to_csv(table: Table, *, language: str | None) -> Iterator[bytes]:
    """The CSV as UTF-8 pieces of about CSV_CHUNK_CHARS, written as they are asked for. The rows
    are read and written in `language`: a streamed body is read after the view (and the middleware
    that activated the user's language) has returned."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a byte-order mark lets Excel open the UTF-8 file with its accents intact
    writer.writerow([safe_cell(h) for h in table.headers])
    rows = table.rows()
    try:
        done = False
        while not done:
            with translation.override(language):
                done = True
                for row in rows:
                    writer.writerow([_csv_value(v) for v in row])
                    if buffer.tell() >= CSV_CHUNK_CHARS:
                        done = False
                        break
            if buffer.tell():
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    finally:  # also when the client goes away mid-way (the server closes the response)
        rows.close()


def to_xlsx(table: Table) -> tuple[IO[bytes], int]:
    """The workbook, written row by row (openpyxl's write-only mode) into a temporary file that
    is read from its start, and its number of rows. The caller closes the file (FileResponse does,
    once it is sent)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31] or "Sheet")
    sheet.freeze_panes = "A2"
    header = []
    for text in table.headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(text))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    with closing(table.rows()) as rows:
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=safe_cell(value))
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
            count += 1
    file = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)
    try:
        workbook.save(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file, count


def export_response(table: Table, fmt: str, *, record: Callable[[int], object]) -> StreamingHttpResponse:
    """The export as a download; `record(row_count)` (the audit entry) is called before any row
    leaves, and if it fails nothing is sent.

    A CSV's rows are counted by a COUNT query first, and read only as the body is sent (an
    unread response holds no cursor). The count and the rows come from two statements: a tour
    written in the milliseconds between them would make them differ by that tour. An XLSX is
    written, and its rows counted, before the response is returned."""
    if fmt == "csv":
        record(table.objects.count())
        response = StreamingHttpResponse(
            to_csv(table, language=translation.get_language()), content_type=CONTENT_TYPES[fmt]
        )
    elif fmt == "xlsx":
        file, count = to_xlsx(table)
        try:
            record(count)
        except BaseException:
            file.close()
            raise
        response = FileResponse(file, content_type=CONTENT_TYPES[fmt])
    else:
        raise ValueError(fmt)
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


def _deployment_row(today: date) -> Callable[[Deployment], list]:
    """A deployment's cells; the labels are looked up once, in the active language."""
    ranks, genders = labels(Officer.Rank), labels(Officer.Gender)
    kinds, statuses = labels(Agency.Kind), labels(Deployment.Status)

    def row(d: Deployment) -> list:
        o = d.officer
        return [
            o.last_name,
            o.first_name,
            o.badge_number,
            ranks.get(o.rank, o.rank),
            genders.get(o.gender, o.gender),
            o.agency.name,
            kinds.get(o.agency.kind, o.agency.kind),
            d.mission.code,
            d.mission.name,
            d.role,
            statuses.get(d.status, d.status),
            d.start_date,
            d.planned_end_date,
            d.actual_end_date,
            days_served(d, today=today),
        ]

    return row


def roster_table(deployments: QuerySet[Deployment], *, today: date | None = None) -> Table:
    """`deployments`: the user's current roster (selectors.roster_for(user)), ordered here by mission and name."""
    today = today or timezone.localdate()
    return Table(
        title=_("Roster"),
        filename=f"roster-{today:%Y-%m-%d}",
        headers=_deployment_headers(),
        objects=deployments.order_by("mission__code", "officer__last_name", "officer__first_name", "id"),
        row=_deployment_row(today),
    )


def deployments_table(
    deployments: QuerySet[Deployment], start: date, end: date, *, user, today: date | None = None
) -> Table:
    """`deployments`: the user's deployments overlapping [start, end] (dashboard.deployments_overlapping).
    The repatriation reason is written as `user` may read it (selectors.repatriation_reason_for)."""
    today = today or timezone.localdate()
    deployment_row = _deployment_row(today)
    return Table(
        title=_("Deployments"),
        filename=f"deployments-{start:%Y-%m-%d}-{end:%Y-%m-%d}",
        headers=[*_deployment_headers(), _("Repatriation reason")],
        objects=deployments.order_by("start_date", "officer__last_name", "id"),
        row=lambda d: [*deployment_row(d), str(repatriation_reason_for(user, d))],
    )


def applicants_table(bulletin, applications: QuerySet[Application]) -> Table:
    """`applications`: application_visible_to(user) for one bulletin."""
    ranks, genders, statuses = labels(Officer.Rank), labels(Officer.Gender), labels(Application.Status)
    yes, no = yes_no(True), yes_no(False)

    def row(a: Application) -> list:
        o = a.officer
        return [
            bulletin.reference,
            o.last_name,
            o.first_name,
            o.badge_number,
            ranks.get(o.rank, o.rank),
            genders.get(o.gender, o.gender),
            o.agency.name,
            statuses.get(a.status, a.status),
            no if a.nominated_by_id is None else yes,
            no if a.ineligible else yes,
            local_naive(a.created_at),
            local_naive(a.updated_at),
        ]

    return Table(
        title=_("Applicants"),
        filename=f"applicants-{slugify(bulletin.reference) or bulletin.pk}",
        headers=[
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
        ],
        objects=applications.order_by("officer__last_name", "officer__first_name", "id"),
        row=row,
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


class _Listed(list):
    """A list of rows already computed, given to a Table in place of a queryset."""

    def iterator(self, chunk_size=None):
        yield from self

    def count(self):
        return len(self)


def ceremony_table(ceremony, start: date, end: date) -> Table:
    """`ceremony`: roster.medals.medal_ceremony for the user's deployments: one row per medal an
    officer returning in the period is eligible for."""
    from .models import MedalAward

    ranks, medals, statuses = labels(Officer.Rank), labels(MedalAward.Medal), labels(Deployment.Status)
    yes, no = yes_no(True), yes_no(False)

    def row(r) -> list:
        o = r.officer
        return [
            medals.get(r.medal, r.medal),
            r.mission.code if r.mission else "",
            o.last_name,
            o.first_name,
            o.badge_number,
            ranks.get(o.rank, o.rank),
            o.agency.name,
            r.deployment.mission.code,
            statuses.get(r.deployment.status, r.deployment.status),
            r.return_date,
            yes if r.projected else no,
            r.days,
            r.awarded_on,
        ]

    return Table(
        title=_("Medal ceremony"),
        filename=f"medal-ceremony-{start:%Y-%m-%d}-{end:%Y-%m-%d}",
        headers=[
            _("Medal"),
            _("Medal mission"),
            _("Last name"),
            _("First name"),
            _("Badge number"),
            _("Rank"),
            _("Agency"),
            _("Returning from"),
            _("Tour status"),
            _("Return date"),
            _("Return planned (tour under way)"),
            _("Days counted"),
            _("Already awarded on"),
        ],
        objects=_Listed(ceremony.rows),
        row=row,
    )
