"""Service histories: an officer's deployments, days served and medals; an agency's past deployments.
IPO staff record medal awards through roster.medals.medal_award_record."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agencies.access import get_visible_or_404, require, role_required
from agencies.permissions import is_ipo_staff
from agencies.selectors import agency_visible_to, officer_visible_to
from agencies.validators import validate_plausible_date
from missions.models import Mission

from ..dashboard import agency_history, officer_history
from ..medals import cpsm_days, medal_award_record, un_medal_days
from ..models import MedalAward


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
