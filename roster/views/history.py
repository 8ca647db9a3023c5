"""Service histories: an officer's deployments, days served and medals; an agency's past deployments.
IPO staff record medal awards through roster.medals.medal_award_record."""

from datetime import timedelta

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import recent_auth_required
from agencies.access import get_visible_or_404, require, role_required
from agencies.permissions import is_ipo_staff
from agencies.selectors import agency_visible_to, officer_visible_to
from agencies.validators import validate_plausible_date
from missions.models import Mission

from ..dashboard import agency_history, officer_history
from ..exports import ceremony_table
from ..medals import ceremony_max_days, cpsm_days, medal_award_record, medal_ceremony, un_medal_days
from ..models import Deployment, MedalAward
from ..selectors import deployment_visible_to
from .dashboard import url_for_each
from .exports import _export


class MedalAwardForm(forms.Form):
    medal = forms.ChoiceField(label=_("Medal"), choices=MedalAward.Medal.choices)
    mission = forms.ModelChoiceField(
        label=_("Mission"),
        queryset=Mission.objects.none(),
        required=False,
        help_text=_("For the UN mission medal: one of the officer's UN missions."),
    )
    awarded_on = forms.DateField(
        label=_("Awarded on"), widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_plausible_date]
    )

    def __init__(self, *args, un_mission_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = Mission.objects.filter(pk__in=list(un_mission_ids)).order_by("code")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def _officer_page(request, officer, form=None, status=200):
    context = officer_history(request.user, officer, today=timezone.localdate())
    record = context["record"]
    if is_ipo_staff(request.user) and form is None:
        form = MedalAwardForm(
            un_mission_ids=[m.mission.pk for m in record.missions if m.is_un],
            initial={"awarded_on": timezone.localdate()},
        )
    context.update(
        officer=officer,
        form=form,
        un_medal_days=un_medal_days(),
        cpsm_days=cpsm_days(),
        cpsm_remaining=max(0, cpsm_days() - record.total_days),
    )
    return render(request, "roster/history_officer.html", context, status=status)


@login_required
def officer_history_view(request, officer_pk):
    officer = get_visible_or_404(officer_visible_to(request.user), pk=officer_pk)
    return _officer_page(request, officer)


@require_POST
@login_required
def medal_award(request, officer_pk):
    officer = get_visible_or_404(officer_visible_to(request.user), pk=officer_pk)
    require(is_ipo_staff, request.user)
    context = officer_history(request.user, officer)
    form = MedalAwardForm(
        request.POST, un_mission_ids=[m.mission.pk for m in context["record"].missions if m.is_un]
    )
    if form.is_valid():
        try:
            award = medal_award_record(
                officer=officer,
                medal=form.cleaned_data["medal"],
                mission=form.cleaned_data["mission"],
                awarded_on=form.cleaned_data["awarded_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("%(medal)s recorded for %(name)s.") % {"medal": award.get_medal_display(), "name": officer.full_name},
            )
            return redirect("roster:officer-history", officer_pk=officer.pk)
    return _officer_page(request, officer, form=form, status=400)


@role_required("ipo_staff", "coordinator")
def agency_history_view(request, agency_pk):
    agency = get_visible_or_404(agency_visible_to(request.user), pk=agency_pk)
    context = agency_history(request.user, agency, today=timezone.localdate())
    context.update(agency=agency, cpsm_days=cpsm_days(), un_medal_days=un_medal_days())
    return render(request, "roster/history_agency.html", context)


# --- medal ceremonies -------------------------------------------------------------------------------

CEREMONY_ROWS_PER_PAGE = 100


class CeremonyForm(forms.Form):
    """The period of the returns (at most ROSTER["MEDAL_CEREMONY_MAX_DAYS"]) and an optional mission."""

    start = forms.DateField(label=_("Returning from"), widget=forms.DateInput(attrs={"type": "date"}),
                            validators=[validate_plausible_date])
    end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}),
                          validators=[validate_plausible_date])
    mission = forms.ModelChoiceField(label=_("Mission"), queryset=Mission.objects.order_by("code"), required=False,
                                     empty_label=_("All missions"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.attrs = {"role": "search"}
        self.helper.layout = Layout(Row(
            Column("start", css_class="col-md-3"), Column("end", css_class="col-md-3"),
            Column("mission", css_class="col-md-3"),
            Column(StrictButton(_("Show"), type="submit", css_class="btn-outline-primary"),
                   css_class="col-md-2 pt-md-4"),
        ))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The end of the period must be on or after its start."))
            elif (end - start).days >= ceremony_max_days():
                self.add_error("end", _("Choose a period of at most %(days)s days.") % {"days": ceremony_max_days()})
        return data


def _ceremony_period(request):
    """(form, start, end, mission): the period asked for, else the next 90 days from today."""
    today = timezone.localdate()
    default = {"start": today.isoformat(), "end": (today + timedelta(days=90)).isoformat()}
    data = {**default, **{k: v for k, v in request.GET.items() if k in ("start", "end", "mission") and v}}
    form = CeremonyForm(data)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["mission"]
    return form, today, today + timedelta(days=90), None


def _ceremony(request, start, end, mission):
    deployments = deployment_visible_to(request.user)
    if mission is not None:
        deployments = deployments.filter(mission=mission)
    return medal_ceremony(deployments, start, end)


@role_required("ipo_staff", "coordinator")
def medal_ceremony_view(request):
    """Officers returning in a period and the medals each is eligible for (IPO staff: every officer;
    a coordinator: their agency's), to prepare a ceremony; exportable as CSV or Excel."""
    form, start, end, mission = _ceremony_period(request)
    ceremony = _ceremony(request, start, end, mission)
    page = Paginator(ceremony.rows, CEREMONY_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    medals = {value: str(label) for value, label in MedalAward.Medal.choices}
    history = url_for_each("roster:officer-history")
    for row in page:
        row.medal_label = medals.get(row.medal, row.medal)
        row.history_url = history(row.officer.pk)
    return render(request, "roster/medal_ceremony.html", {
        "form": form, "start": start, "end": end, "ceremony": ceremony, "page": page,
        "query": urlencode({"start": start.isoformat(), "end": end.isoformat(),
                            **({"mission": mission.pk} if mission else {})}),
        "cpsm_days": cpsm_days(), "un_medal_days": un_medal_days(),
    })


@role_required("ipo_staff", "coordinator")
@recent_auth_required
def medal_ceremony_export(request, fmt):
    form, start, end, mission = _ceremony_period(request)
    table = ceremony_table(_ceremony(request, start, end, mission), start, end)
    return _export(request, table, fmt, model=Deployment, what=f"medal-ceremony:{start}:{end}")
