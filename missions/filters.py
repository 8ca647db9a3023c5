"""Filters of the bulletin list (django-filter). The queryset they narrow is already the
user's visible bulletins (`bulletin_visible_to`)."""

import django_filters
from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Language
from agencies.permissions import is_ipo_staff

from .models import Bulletin, Mission
from .selectors import bulletins_open, mission_visible_to


class BulletinFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.attrs = {"role": "search"}
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-md-6 col-xl-3"),
                Column("status", css_class="col-md-3 col-xl-2"),
                Column("mission", css_class="col-md-3 col-xl-3"),
                Column("language", css_class="col-md-4 col-xl-2"),
                Column("open_now", css_class="col-md-4 col-xl-auto pt-md-4"),
                Column(StrictButton(_("Filter"), type="submit", css_class="btn-outline-primary"),
                       css_class="col-md-4 col-xl-auto pt-md-4"),
            ),
        )


def _missions(request):
    return mission_visible_to(request.user).order_by("code") if request else Mission.objects.none()


class BulletinFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Bulletin.Status.choices, empty_label=_("Any"))
    mission = django_filters.ModelChoiceFilter(label=_("Mission"), queryset=_missions, empty_label=_("Any"))
    language = django_filters.ChoiceFilter(
        label=_("Working language"), field_name="mission__language", choices=Language.choices, empty_label=_("Any")
    )
    open_now = django_filters.BooleanFilter(
        label=_("Open now"), method="filter_open_now", widget=forms.CheckboxInput
    )

    class Meta:
        model = Bulletin
        fields = ["q", "status", "mission", "language", "open_now"]
        form = BulletinFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form field built on the class's filters (the API's schema reads them) comes with their copy:
        # it would keep every status and the missions of no one. Each is built again for this request.
        for filter_ in self.filters.values():
            filter_.__dict__.pop("_field", None)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Reference or title")
        if not is_ipo_staff(getattr(self.request, "user", None)):
            shown = (Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED)
            self.filters["status"].extra["choices"] = [c for c in Bulletin.Status.choices if c[0] in shown]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(title_en__icontains=value) | Q(title_fr__icontains=value)
        )

    def filter_open_now(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=bulletins_open().values("pk"))
