"""Filters of the API's lists (django-filter). The officer and bulletin lists use the pages' own
filter classes; the others are the API's, over querysets the `*_visible_to` selectors already limit.
An invalid value answers 400 with the field's message; `updated_since` (ISO 8601) gives the rows
changed at or after a moment, for incremental sync."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import OfficerFilter
from agencies.validators import validate_plausible_date
from missions.filters import BulletinFilter
from missions.models import BulletinNotice
from roster.models import Application, Deployment

__all__ = ["ApplicationFilter", "BulletinFilter", "DeploymentFilter", "NoticeFilter", "OfficerApiFilter"]

MAX_ID = 2**31 - 1


class IdFilter(django_filters.Filter):
    """A record's id: a whole number from 1 (never an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def updated_since():
    return django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", validators=[validate_plausible_date],
        label=_("Changed at or after this moment (ISO 8601, e.g. 2026-11-01T00:00:00-05:00); the list is then "
                "in the order of the changes, oldest first."),
    )


class OfficerApiFilter(OfficerFilter):
    """The officer list's filters (agencies.forms.OfficerFilter), plus `updated_since`."""

    updated_since = updated_since()


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Application.Status.choices)
    bulletin = IdFilter(field_name="bulletin_id", label=_("Bulletin (id)"))
    officer = IdFilter(field_name="officer_id", label=_("Officer (id)"))
    updated_since = updated_since()

    class Meta:
        model = Application
        fields = ["status", "bulletin", "officer", "updated_since"]


class DeploymentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Deployment.Status.choices)
    mission = IdFilter(field_name="mission_id", label=_("Mission (id)"))
    officer = IdFilter(field_name="officer_id", label=_("Officer (id)"))
    agency = IdFilter(field_name="officer__agency_id", label=_("Agency of the officer (id)"))
    updated_since = updated_since()

    class Meta:
        model = Deployment
        fields = ["status", "mission", "officer", "agency", "updated_since"]


class NoticeFilter(django_filters.FilterSet):
    bulletin = IdFilter(field_name="bulletin_id", label=_("Bulletin (id)"))
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label=_("Acknowledged (true or false)")
    )
    open_now = django_filters.BooleanFilter(method="filter_open_now", label=_("The bulletin is open now"))

    class Meta:
        model = BulletinNotice
        fields = ["bulletin", "acknowledged", "open_now"]

    def filter_open_now(self, queryset, name, value):
        from missions.selectors import bulletins_open

        if value is None:
            return queryset
        open_ids = bulletins_open().values("pk")
        return queryset.filter(bulletin_id__in=open_ids) if value else queryset.exclude(bulletin_id__in=open_ids)
