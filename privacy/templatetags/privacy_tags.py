"""Template helpers of the privacy app: the retention period for the privacy notice, who may
download an officer's archive, and the archive report's dates."""

from datetime import date, datetime

from django import template
from django.conf import settings
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from ..permissions import can_download_archive

register = template.Library()


@register.simple_tag
def retention_years() -> int:
    """`{% retention_years as years %}`: the years a record is kept after the last tour or application."""
    return int(settings.ROSTER["RETENTION_YEARS"])


@register.simple_tag
def privacy_contact() -> str:
    return settings.ROSTER["PRIVACY_CONTACT_EMAIL"]


@register.filter
def archive_downloadable_by(officer, user) -> bool:
    """`{% if officer|archive_downloadable_by:user %}` (privacy.permissions.can_download_archive)."""
    return can_download_archive(user, officer)


@register.filter
def iso_date(value) -> str:
    """An ISO date (from the archive's record) in the active language's format."""
    if not value:
        return ""
    try:
        return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


@register.filter
def iso_datetime(value) -> str:
    """An ISO date and time (from the archive's record) in Ottawa time, in the active language's format."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


@register.filter
def archive_cell(value) -> str:
    """A cell of a section's table (privacy.hooks.ArchiveTable): a moment in Ottawa time and a date in
    the active language's format, yes/no, a dash for nothing, a link to a file of the ZIP."""
    from ..hooks import ArchiveLink

    if isinstance(value, ArchiveLink):
        if value.missing:
            return format_html('{} <span class="muted">({})</span>', value.text,
                               gettext("the file could not be found"))
        return format_html('<a href="{}">{}</a>', value.path, value.text)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value,
                                   "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)
