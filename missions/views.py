"""Mission and bulletin pages. Views parse input, call one service and redirect; the rules
live in missions.services and missions.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.access import add_service_errors, flash_errors, get_visible_or_404, require, role_required
from agencies.permissions import is_coordinator, is_ipo_staff
from config.pagination import filter_fields, seek_page, set_row_urls

from . import services
from .filters import BulletinFilter
from .forms import BulletinCancelForm, BulletinForm, MissionForm
from .models import Bulletin, Mission
from .selectors import (
    BULLETIN_ORDER,
    bulletin_actions,
    bulletin_notices_with_delivery,
    bulletin_visible_to,
    bulletins_with_progress,
    mission_visible_to,
    missions_with_pipeline,
    missions_with_strength,
    notice_for_agency,
    publish_audience,
    strength_of,
)

BULLETINS_PER_PAGE = 25






# --- missions ----------------------------------------------------------------------------

@login_required
def mission_list(request):
    """Every mission with its strength, drawn as the mission page draws it (strength_tags), each
    row's link and texts written here with the words translated once for the page."""
    from .templatetags.strength_tags import StrengthTexts, strength_html

    missions = list(missions_with_strength(mission_visible_to(request.user)).order_by("code"))
    texts = StrengthTexts()
    for mission in missions:
        mission.strength = strength_of(mission)
        mission.strength_html = strength_html(mission.strength, texts)
    set_row_urls(missions, url="missions:mission-detail")
    return render(request, "missions/mission_list.html", {"missions": missions})


@login_required
def mission_detail(request, pk):
    mission = get_visible_or_404(missions_with_pipeline(mission_visible_to(request.user)), pk=pk)
    bulletins = bulletin_visible_to(request.user).filter(mission=mission)
    return render(
        request,
        "missions/mission_detail.html",
        {"mission": mission, "strength": strength_of(mission), "bulletins": bulletins},
    )


def _mission_form(request, mission: Mission | None):
    require(is_ipo_staff, request.user)
    code = mission.code if mission else ""  # the form may change the instance's own
    form = MissionForm(request.POST or None, instance=mission)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.mission_save(mission=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Mission %(code)s saved.") % {"code": saved.code})
            return redirect("missions:mission-detail", pk=saved.pk)
    return render(request, "missions/mission_form.html", {"form": form, "mission": mission, "code": code})


@role_required("ipo_staff")
def mission_create(request):
    return _mission_form(request, None)


@login_required
def mission_edit(request, pk):
    mission = get_visible_or_404(mission_visible_to(request.user), pk=pk)
    return _mission_form(request, mission)


# --- bulletins -----------------------------------------------------------------------------

@login_required
def bulletin_list(request):
    queryset = bulletin_visible_to(request.user)
    if is_ipo_staff(request.user):
        queryset = bulletins_with_progress(queryset)
    bulletins = BulletinFilter(request.GET or None, queryset=queryset, request=request)
    page = seek_page(bulletins.qs, order=BULLETIN_ORDER, size=BULLETINS_PER_PAGE,
                     after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    _label_bulletins(page, staff=is_ipo_staff(request.user))
    return render(request, "missions/bulletin_list.html", {
        "filter": bulletins, "filter_form": filter_fields(bulletins.form), "page": page,
    })


def _label_bulletins(bulletins, *, staff: bool):
    """Each row's status, working language and closing in words, its badge and addresses: looked up
    or translated once per page, not once per row by the template."""
    from agencies.models import Language
    from agencies.templatetags.ui import badge_class, status_badges

    from .templatetags.bulletin_tags import closing

    statuses = status_badges(Bulletin.Status.choices)
    languages = {value: str(label) for value, label in Language.choices}
    for b in bulletins:
        b.status_label, b.badge = statuses.get(b.status, (b.status, badge_class(b.status)))
        b.language_label = languages.get(b.mission.language, b.mission.language)
        b.closing_text = closing(b, "SHORT_DATETIME_FORMAT")
    set_row_urls(bulletins, url="missions:bulletin-detail")
    if staff:
        set_row_urls(bulletins, pipeline_url="roster:bulletin-pipeline")


@login_required
def bulletin_detail(request, pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    actions = bulletin_actions(request.user, bulletin)
    context = {"bulletin": bulletin, "actions": actions}
    if actions["watch_delivery"]:
        context["notices"], context["delivery_summary"] = bulletin_notices_with_delivery(bulletin)
    elif is_coordinator(request.user):
        context["own_notice"] = notice_for_agency(bulletin, request.user.agency_id)
    return render(request, "missions/bulletin_detail.html", context)


def _render_bulletin_form(request, form, bulletin, reference=""):
    form.helper.form_action = (
        reverse("missions:bulletin-edit", kwargs={"pk": bulletin.pk}) if bulletin else
        reverse("missions:bulletin-create")
    )
    context = {"form": form, "bulletin": bulletin, "reference": reference or (bulletin.reference if bulletin else "")}
    return render(request, "missions/bulletin_form.html", context)


@role_required("ipo_staff")
def bulletin_create(request):
    form = BulletinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.bulletin_save(bulletin=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft %(reference)s created.") % {"reference": bulletin.reference})
            return redirect("missions:bulletin-detail", pk=bulletin.pk)
    return _render_bulletin_form(request, form, None)


@login_required
def bulletin_edit(request, pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    require(is_ipo_staff, request.user)
    if not bulletin_actions(request.user, bulletin)["edit"]:
        messages.error(
            request,
            _("Only a draft can be edited; this bulletin is %(status)s.") % {"status": bulletin.get_status_display()},
        )
        return redirect("missions:bulletin-detail", pk=bulletin.pk)
    reference = bulletin.reference  # the form may change the instance's own
    form = BulletinForm(request.POST or None, instance=bulletin)
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_save(bulletin=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft %(reference)s saved.") % {"reference": bulletin.reference})
            return redirect("missions:bulletin-detail", pk=bulletin.pk)
    return _render_bulletin_form(request, form, bulletin, reference)


@login_required
def bulletin_preview(request, pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    require(is_ipo_staff, request.user)
    problems = services.bulletin_publish_problems(bulletin) if bulletin.status == Bulletin.Status.DRAFT else {}
    problem_list = [(Bulletin._meta.get_field(field).verbose_name, msgs) for field, msgs in problems.items()]
    return render(
        request,
        "missions/bulletin_preview.html",
        {"bulletin": bulletin, "problems": problem_list, "actions": bulletin_actions(request.user, bulletin)},
    )


@login_required
def bulletin_publish(request, pk):
    """GET says who will be notified and asks for confirmation; POST publishes."""
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    if request.method != "POST":
        require(is_ipo_staff, request.user)
        return render(request, "missions/bulletin_confirm_publish.html",
                      {"bulletin": bulletin, "audience": publish_audience()})
    try:
        services.bulletin_publish(bulletin=bulletin, actor=request.user)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            flash_errors(request, exc)
            return redirect("missions:bulletin-detail", pk=bulletin.pk)
        form = BulletinForm.bound_to_instance(bulletin)
        form.is_valid()
        add_service_errors(form, exc)
        messages.error(request, _("This bulletin cannot be published yet."))
        return _render_bulletin_form(request, form, bulletin)
    messages.success(
        request,
        _("Bulletin %(reference)s published; the partner agencies are being notified.")
        % {"reference": bulletin.reference},
    )
    return redirect("missions:bulletin-detail", pk=bulletin.pk)


@login_required
def bulletin_remind(request, pk):
    """GET names the agencies a reminder would reach; POST sends it."""
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    require(is_ipo_staff, request.user)
    if request.method == "POST":
        try:
            n = services.bulletin_remind(bulletin=bulletin, actor=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, ngettext(
                "A reminder is on its way to %(n)d agency.", "A reminder is on its way to %(n)d agencies.", n
            ) % {"n": n})
        return redirect("missions:bulletin-detail", pk=bulletin.pk)
    return render(request, "missions/bulletin_confirm_remind.html",
                  {"bulletin": bulletin, "notices": services.reminder_audience(bulletin)})


@login_required
def bulletin_close(request, pk):
    """GET asks for confirmation; POST closes."""
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    require(is_ipo_staff, request.user)
    if request.method == "POST":
        try:
            services.bulletin_close(bulletin=bulletin, actor=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Bulletin %(reference)s closed.") % {"reference": bulletin.reference})
        return redirect("missions:bulletin-detail", pk=bulletin.pk)
    return render(request, "missions/bulletin_confirm_close.html", {"bulletin": bulletin})


@login_required
def bulletin_cancel(request, pk):
    """GET shows the reason form; POST cancels."""
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    require(is_ipo_staff, request.user)
    form = BulletinCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_cancel(bulletin=bulletin, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Bulletin %(reference)s cancelled.") % {"reference": bulletin.reference})
            return redirect("missions:bulletin-detail", pk=bulletin.pk)
    return render(request, "missions/bulletin_cancel.html", {"bulletin": bulletin, "form": form})


@login_required
@require_POST
def bulletin_duplicate(request, pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    copy = services.bulletin_duplicate(bulletin=bulletin, actor=request.user)
    messages.success(
        request,
        _("Draft %(new)s created from %(old)s; check its dates before publishing.")
        % {"new": copy.reference, "old": bulletin.reference},
    )
    return redirect("missions:bulletin-edit", pk=copy.pk)


@login_required
@require_POST
def bulletin_acknowledge(request, pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    try:
        notice = services.notice_acknowledge(bulletin=bulletin, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("missions:bulletin-detail", pk=bulletin.pk)
    messages.success(
        request,
        _("Bulletin %(reference)s acknowledged for %(agency)s.")
        % {"reference": bulletin.reference, "agency": notice.agency.name},
    )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(back)
    return redirect("missions:bulletin-detail", pk=bulletin.pk)


@login_required
@require_POST
def notice_resend(request, pk, notice_pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    notice = get_object_or_404(bulletin.notices.select_related("agency"), pk=notice_pk)
    count = services.notice_resend(notice=notice, actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d message to %(agency)s queued again.",
                "%(count)d messages to %(agency)s queued again.",
                count,
            ) % {"count": count, "agency": notice.agency.name},
        )
    else:
        messages.info(request, _("No failed message to resend to %(agency)s.") % {"agency": notice.agency.name})
    return redirect("missions:bulletin-detail", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_circulate(request, pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    try:
        notice = services.notice_circulate(bulletin=bulletin, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Bulletin %(reference)s circulated to %(n)d officer of %(agency)s.",
                "Bulletin %(reference)s circulated to %(n)d officers of %(agency)s.",
                notice.circulated_count,
            )
            % {"reference": bulletin.reference, "n": notice.circulated_count, "agency": notice.agency.name},
        )
    return redirect("missions:bulletin-detail", pk=bulletin.pk)
