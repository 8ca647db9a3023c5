"""Application pages: officers apply, agencies endorse, IPO staff select, everyone follows the
timeline. Views parse input, call one service and redirect (POST-redirect-GET); the rules
live in roster.services and roster.selectors.

Objects come through the visibility querysets: not visible -> 404; visible but the action
is not the user's -> 403 (PermissionDenied, from `require` or from the service).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.access import add_service_errors, flash_errors, get_visible_or_404, pdf_download, require, role_required
from agencies.selectors import officer_for_user
from audit.services import audit_read
from missions.selectors import bulletin_visible_to

from .. import eligibility, selectors, services
from ..forms import (
    AgencyApplicationFilter,
    ApplicationEditForm,
    ApplicationForm,
    EndorseForm,
    NominateForm,
    PipelineActionForm,
    ReasonForm,
    TransitionForm,
    bulk_moves,
    move_buttons,
)
from ..models import ApplicationDocument, ApplicationStatus
from ..selectors import (
    application_actions,
    application_eligibility,
    application_page_queryset,
    application_visible_to,
    can_edit_application,
    can_endorse_application,
    can_withdraw_application,
    officers_for_nomination,
)
from ..templatetags.roster_tags import html_datetime

S = ApplicationStatus






def _posted(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _to_detail(application):
    return redirect("roster:application-detail", pk=application.pk)


# --- the application page ------------------------------------------------------------------

@login_required
def application_detail(request, pk):
    application = get_visible_or_404(application_page_queryset(request.user), pk=pk)
    audit_read(actor=request.user, obj=application, event="read.application", officer_id=application.officer_id,
               officer_user_id=application.officer.user_id, request=request)
    actions = application_actions(request.user, application)
    return render(
        request,
        "roster/application_detail.html",
        {
            "application": application,
            "events": application.events.all(),
            "documents": application.documents.all(),
            "eligibility": application_eligibility(application),
            "actions": actions,
            "move_buttons": move_buttons(actions["moves"]),
            "transition_form": TransitionForm(auto_id="id_transition_%s"),
        },
    )


@login_required
def application_document(request, pk, doc_pk):
    """Serve a document of an application the user may see; any other pairing answers 404. Always
    as a download (never rendered inline, never sniffed), and never kept in a cache."""
    application = get_visible_or_404(application_visible_to(request.user), pk=pk)
    document = get_object_or_404(ApplicationDocument, pk=doc_pk, application=application)
    return pdf_download(document, record=lambda: audit_read(
        actor=request.user, obj=document, event="read.document", officer_id=application.officer_id,
        officer_user_id=application.officer.user_id, request=request,
        detail={"application": application.pk, "file": document.original_name}))


# --- officers ----------------------------------------------------------------------------------

@role_required("officer")
def application_create(request, bulletin_pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=bulletin_pk)
    officer = officer_for_user(request.user)
    if officer is None:
        raise PermissionDenied(_("Your login is not linked to an officer profile."))
    if request.method != "POST":
        existing = application_visible_to(request.user).filter(bulletin_id=bulletin.pk).first()
        if existing is not None:
            messages.info(request, _("You have already applied to this bulletin."))
            return _to_detail(existing)
        if not bulletin.is_open:
            messages.error(request, _("This bulletin is not open for applications."))
            return redirect("missions:bulletin-detail", pk=bulletin.pk)
    result = eligibility.check(officer, bulletin)
    data, files = _posted(request)
    form = ApplicationForm(data, files, ask_confirmation=not result.eligible)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                bulletin=bulletin,
                officer=officer,
                actor=request.user,
                statement=form.cleaned_data["statement"],
                documents=request.FILES.getlist("documents"),
                confirm_ineligible=form.cleaned_data.get("confirm_ineligible", False),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your application to %(reference)s was submitted to your agency.")
                % {"reference": bulletin.reference},
            )
            return _to_detail(application)
    return render(
        request,
        "roster/application_form.html",
        {"bulletin": bulletin, "officer": officer, "eligibility": result, "form": form},
    )


@login_required
def application_edit(request, pk):
    application = get_visible_or_404(
        application_visible_to(request.user).prefetch_related("documents"), pk=pk
    )
    require(can_edit_application, request.user, application)
    if request.method != "POST" and not application_actions(request.user, application)["edit"]:
        messages.error(
            request,
            _("The application can no longer be edited: it is %(status)s.")
            % {"status": application.get_status_display()},
        )
        return _to_detail(application)
    data, files = _posted(request)
    form = ApplicationEditForm(data, files, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application,
                actor=request.user,
                statement=form.cleaned_data["statement"],
                documents=request.FILES.getlist("documents"),
                remove_document_ids=form.cleaned_data.get("remove_documents") or [],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your application was updated."))
            return _to_detail(application)
    return render(request, "roster/application_edit.html", {"application": application, "form": form})


MY_APPLICATIONS_PER_PAGE = 10


@role_required("officer")
def my_applications(request):
    """The officer's applications, newest first, paged by key (no COUNT, no OFFSET). What each card
    and its timeline say (states, times, counts) is put into words here, once per page."""
    from agencies.templatetags.ui import status_badges
    from config.pagination import seek_page, set_row_datetimes, set_row_urls

    page = seek_page(selectors.my_applications(request.user), order=("-created_at", "-id"),
                     size=MY_APPLICATIONS_PER_PAGE,
                     after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    statuses = status_badges(S.choices)
    by, submitted = _("by %(who)s"), _("Submitted on %(when)s (Ottawa time).")
    events = []
    for application in page:
        application.actions = application_actions(request.user, application)
        application.status_label, application.badge = statuses.get(application.status, (application.status, ""))
        n = len(application.documents.all())
        application.documents_text = ngettext("%(n)s document.", "%(n)s documents.", n) % {"n": n}
        application.timeline = list(application.events.all())
        events += application.timeline
    for event in events:
        event.from_label = statuses.get(event.from_status, (event.from_status, ""))[0]
        event.to_label = statuses.get(event.to_status, (event.to_status, ""))[0]
        event.when_iso = html_datetime(event.created_at)
        if event.actor_id:
            event.by_text = by % {"who": event.actor.get_full_name() or event.actor.email}
    set_row_datetimes(events, "DATETIME_FORMAT", when_text="created_at")
    set_row_datetimes(page, "DATETIME_FORMAT", submitted_when="created_at")
    for application in page:
        application.submitted_text = submitted % {"when": application.submitted_when}
    set_row_urls(page, url="roster:application-detail", edit_url="roster:application-edit",
                 withdraw_url="roster:application-withdraw")
    return render(request, "roster/my_applications.html", {"applications": page.object_list, "page": page})


# --- moves with their own page: withdraw, endorse, decline ----------------------------------

def _move_page(request, pk, *, to, allowed, form, template, success, unavailable, service_kwargs):
    """A move with its own form; `service_kwargs` maps the form's cleaned data to the service's."""
    application = get_visible_or_404(application_page_queryset(request.user), pk=pk)
    require(allowed, request.user, application)
    if request.method != "POST" and to not in services.allowed_transitions(application, request.user):
        messages.error(request, unavailable % {"status": application.get_status_display()})
        return _to_detail(application)
    bound = form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and bound.is_valid():
        try:
            services.application_transition(
                application=application, to=to, actor=request.user, **service_kwargs(bound.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(bound, exc)
        else:
            messages.success(request, success)
            return _to_detail(application)
    return render(
        request,
        template,
        {"application": application, "form": bound, "eligibility": application_eligibility(application)},
    )


@login_required
def application_withdraw(request, pk):
    return _move_page(
        request,
        pk,
        to=S.WITHDRAWN,
        allowed=can_withdraw_application,
        form=lambda data: ReasonForm(
            data,
            label=_("Reason for withdrawing"),
            submit=_("Withdraw the application"),
            help_text=_("The officer, the agency and IPO staff see this reason on the timeline."),
        ),
        template="roster/application_withdraw.html",
        success=_("The application was withdrawn."),
        unavailable=_("The application can no longer be withdrawn: it is %(status)s."),
        service_kwargs=lambda cd: {"note": cd["note"]},
    )


@login_required
def application_endorse(request, pk):
    return _move_page(
        request,
        pk,
        to=S.ENDORSED,
        allowed=can_endorse_application,
        form=EndorseForm,
        template="roster/application_endorse.html",
        success=_("The application was endorsed and sent to IPO staff."),
        unavailable=_("The application can no longer be endorsed: it is %(status)s."),
        service_kwargs=lambda cd: {"note": cd["note"], "release_confirmed": cd["release_confirmed"]},
    )


@login_required
def application_decline(request, pk):
    return _move_page(
        request,
        pk,
        to=S.AGENCY_DECLINED,
        allowed=can_endorse_application,
        form=lambda data: ReasonForm(
            data,
            label=_("Reason for declining"),
            submit=_("Decline the application"),
            help_text=_("Shared with the officer: they read this reason on their timeline and in the status "
                        "email, as do IPO staff."),
        ),
        template="roster/application_decline.html",
        success=_("The application was declined."),
        unavailable=_("The application can no longer be declined: it is %(status)s."),
        service_kwargs=lambda cd: {"note": cd["note"]},
    )


# --- coordinators -------------------------------------------------------------------------------

@role_required("coordinator")
def application_nominate(request, bulletin_pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=bulletin_pk)
    if request.method != "POST" and not bulletin.is_open:
        messages.error(request, _("This bulletin is not open for applications."))
        return redirect("missions:bulletin-detail", pk=bulletin.pk)
    officers = officers_for_nomination(request.user, bulletin)
    data, files = _posted(request)
    form = NominateForm(data, files, officers=officers)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_nominate(
                bulletin=bulletin,
                officer=form.cleaned_data["officer"],
                actor=request.user,
                statement=form.cleaned_data["statement"],
                documents=request.FILES.getlist("documents"),
                release_confirmed=form.cleaned_data["release_confirmed"],
                confirm_ineligible=form.cleaned_data["confirm_ineligible"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was nominated for %(reference)s.")
                % {"name": application.officer.full_name, "reference": bulletin.reference},
            )
            return _to_detail(application)
    return render(
        request, "roster/application_nominate.html", {"bulletin": bulletin, "form": form, "officers": officers}
    )


@role_required("coordinator")
def agency_applications(request):
    """One page of the agency's applications, one state at a time (tabs with the count of each).
    An unknown status or bulletin is ignored; a bad page number gives the first or last page."""
    filters = AgencyApplicationFilter(request.GET)
    filters.is_valid()  # the fields that are valid are used, the others ignored
    status = filters.cleaned_data.get("status") or ""
    bulletin_id = filters.cleaned_data.get("bulletin")
    listing = selectors.agency_applications_page(
        request.user, status=status, bulletin_id=bulletin_id, page=request.GET.get("page")
    )
    return render(
        request,
        "roster/agency_applications.html",
        {**listing, "filters": filters, "bulletin_id": bulletin_id,
         "groups_html": _agency_application_groups(listing["groups"])},
    )


# A coordinator's list of applications, written here once per page: each bulletin's section and its rows,
# every value escaped by format_html, each label translated once and each day formatted once (as template
# sections and rows, their variables, tags and filters cost more than the page's queries).
AGENCY_APPLICATION_ROW = (
    '<tr data-testid="agency-application">\n'
    '      <th scope="row" class="fw-normal"><a href="{}">{}</a></th>\n'
    '      <td><span class="badge {}">{}</span></td>\n'
    '      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n    </tr>'
)
AGENCY_APPLICATION_GROUP = (
    '<section class="mb-4" aria-labelledby="b-{pk}" data-testid="bulletin-group">\n'
    '  <h2 class="h4" id="b-{pk}"><a href="{url}">{reference} — {title}</a></h2>\n'
    '  <p class="small text-body-secondary">{mission} · {closing} {ottawa}</p>\n'
    '  <div class="table-responsive">\n'
    '  <table class="table table-sm table-striped">\n'
    '    <caption class="visually-hidden">{caption}</caption>\n'
    '    <thead><tr>\n'
    '      <th scope="col">{officer}</th>\n      <th scope="col">{status}</th>\n'
    '      <th scope="col">{requirements}</th>\n      <th scope="col">{submitted}</th>\n'
    '      <th scope="col">{nominated}</th>\n'
    '    </tr></thead>\n'
    '    <tbody>\n    {rows}\n    </tbody>\n'
    '  </table>\n  </div>\n</section>'
)


def _agency_application_groups(groups) -> SafeString:
    """Each bulletin's section of the page (its heading, when it closes, and its applications' rows: the
    officer with the link, the status, whether the requirements were met when filed, the day it was
    filed, whether the agency nominated them)."""
    from django.utils.html import conditional_escape, format_html, format_html_join

    from agencies.templatetags.ui import badge_class
    from config.pagination import set_row_datetimes, url_for_each
    from missions.templatetags.bulletin_tags import closing

    not_met = format_html('<span class="badge text-bg-warning">{}</span>', _("Requirements not met"))
    met, no = _("Met when filed"), _("No")
    nominated = format_html('<span class="badge text-bg-info">{}</span>', _("Nominated"))
    headings = {"officer": _("Officer"), "status": _("Status"), "requirements": _("Requirements"),
                "submitted": _("Submitted"), "nominated": _("Nominated"), "ottawa": _("(Ottawa time)")}
    caption = _("Your agency's applications to %(ref)s")
    bulletin_url = url_for_each("missions:bulletin-detail")
    set_row_datetimes([a for g in groups for a in g["applications"]], "SHORT_DATE_FORMAT", created_text="created_at")
    sections = []
    for group in groups:
        b = group["bulletin"]
        rows = format_html_join("\n    ", AGENCY_APPLICATION_ROW, (
            (a.url, a.officer.full_name, badge_class(a.status), a.status_label,
             not_met if a.ineligible else met, a.created_text, nominated if a.nominated_by_id else no)
            for a in group["applications"]
        ))
        sections.append(format_html(
            AGENCY_APPLICATION_GROUP, pk=b.pk, url=bulletin_url(b.pk), reference=b.reference, title=b.title,
            mission=b.mission.code, closing=closing(b), rows=rows,
            caption=mark_safe(caption % {"ref": conditional_escape(b.reference)}),  # as {% blocktranslate %}
            **headings))
    return mark_safe("\n".join(sections))  # each section escaped its values (format_html)


# --- IPO staff -----------------------------------------------------------------------------------

def _pipeline_view_params(params) -> dict:
    """The pipeline's view and page out of a query string, kept only when well formed (a move posted
    from a page comes back to it)."""
    kept = {}
    status = params.get("status", "")
    if selectors.is_pipeline_view(status):
        kept["status"] = status
    page = params.get("page", "")
    if page.isascii() and page.isdigit() and len(page) < 7:
        kept["page"] = page
    return kept


def _render_pipeline(request, bulletin, form):
    checked = frozenset(form.data.getlist("applications")) if form.is_bound else frozenset()
    params = _pipeline_view_params(request.GET)
    pipeline = selectors.bulletin_pipeline(
        request.user, bulletin, status=params.get("status", ""), page=params.get("page"), checked=checked
    )
    context = {
        "bulletin": bulletin,
        "form": form,
        "bulk": bulk_moves(pipeline["move_rows"]),
        # the move comes back to this view and page
        "return_query": urlencode({"status": pipeline["view"], "page": pipeline["page"].number}),
        **pipeline,
    }
    return render(request, "roster/pipeline.html", context)


def _pipeline_queryset(request, bulletin):
    return application_visible_to(request.user).filter(bulletin_id=bulletin.pk)


@role_required("ipo_staff")
def bulletin_pipeline(request, bulletin_pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=bulletin_pk)
    return _render_pipeline(request, bulletin, PipelineActionForm(queryset=_pipeline_queryset(request, bulletin)))


@role_required("ipo_staff")
@require_POST
def bulletin_pipeline_action(request, bulletin_pk):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=bulletin_pk)
    form = PipelineActionForm(request.POST, queryset=_pipeline_queryset(request, bulletin))
    if not form.is_valid():
        return _render_pipeline(request, bulletin, form)
    chosen = form.cleaned_data["applications"].order_by("officer__last_name", "officer__first_name", "id")
    done, refused = services.application_transition_many(
        applications=list(chosen), to=form.target, actor=request.user, note=form.cleaned_data["note"],
        share_note=form.cleaned_data["share_note"], confirm_unavailable=form.cleaned_data["confirm_unavailable"],
    )
    status = S(form.target).label
    if done:
        messages.success(
            request,
            ngettext(
                "%(n)d application moved to “%(status)s”.", "%(n)d applications moved to “%(status)s”.", len(done)
            )
            % {"n": len(done), "status": status},
        )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(n)d application was not moved to “%(status)s”:",
                "%(n)d applications were not moved to “%(status)s”:",
                len(refused),
            )
            % {"n": len(refused), "status": status},
        )
        for application, message in refused:
            messages.error(
                request, _("%(name)s: %(message)s") % {"name": application.officer.full_name, "message": message}
            )
    back = reverse("roster:bulletin-pipeline", kwargs={"bulletin_pk": bulletin.pk})
    query = urlencode(_pipeline_view_params(request.GET))
    return redirect(f"{back}?{query}" if query else back)


@login_required
@require_POST
def application_transition(request, pk):
    """One move from the application page's buttons (IPO staff's moves)."""
    application = get_visible_or_404(application_visible_to(request.user), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _to_detail(application)
    try:
        application = services.application_transition(
            application=application, to=form.cleaned_data["to"], actor=request.user, note=form.cleaned_data["note"],
            share_note=form.cleaned_data["share_note"], confirm_unavailable=form.cleaned_data["confirm_unavailable"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request, _("The application is now “%(status)s”.") % {"status": application.get_status_display()}
        )
    return _to_detail(application)
