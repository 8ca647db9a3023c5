from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def closing(bulletin, fmt="DATETIME_FORMAT") -> str:
    """When a bulletin closes, said as its state allows: an open one "closes", a closed one
    "closed" (early, if it was closed before its date), a cancelled one says so. Every list uses
    this, so a bulletin closed early never reads as still closing."""
    def when(value):
        return date_format(timezone.localtime(value), fmt) if value else ""

    status = getattr(bulletin, "status", "")
    if status == "cancelled":
        return _("Cancelled")
    if status == "closed":
        closed_at = getattr(bulletin, "closed_at", None)
        if closed_at and bulletin.closes_at and closed_at < bulletin.closes_at:
            return _("Closed early on %(when)s") % {"when": when(closed_at)}
        return _("Closed on %(when)s") % {"when": when(closed_at or bulletin.closes_at)}
    return _("Closes %(when)s") % {"when": when(bulletin.closes_at)}
