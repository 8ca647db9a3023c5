""""Who could go?" pages. IPO staff: a bulletin's counts (every partner agency; counts and per-agency
figures, no names), the what-if form (GET, nothing saved), and the overview with the gender balance of
the open bulletins. A coordinator: the bulletin's counts for their agency and the list of its officers
meeting every requirement, each with a one-click nomination (roster's nomination service).
Views parse, call a selector or one service, and render or redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import flash_errors, get_visible_or_404, role_required
from agencies.models import Officer
from agencies.selectors import officer_visible_to
from agencies.validators import bounded_id
from audit.services import audit_read
from missions.models import Bulletin
from missions.selectors import bulletin_visible_to
from roster.services.applications import application_nominate

from . import selectors
from .evaluate import Population
from .forms import SUBMIT, WhatIfForm
from .whatif import compare

PAGE_SIZE = 50


@role_required("ipo_staff")
def overview(request):
    """Drafts and open bulletins to look at, and the gender balance of the open bulletins."""
    drafts = list(bulletin_visible_to(request.user).filter(status=Bulletin.Status.DRAFT)
                  .order_by("deployment_start", "pk")[:PAGE_SIZE + 1])
    balance = selectors.gender_balance()
    return render(request, "planning/candidates/overview.html", {
        "drafts": drafts[:PAGE_SIZE], "more_drafts": len(drafts) > PAGE_SIZE,
        "drafts_url": reverse("missions:bulletin-list") + "?status=draft",
        "balance": balance, "flagged": sum(b.flagged for b in balance), "rules": settings.ROSTER,
    })


@role_required("ipo_staff")
def bulletin_candidates(request, pk):
    """Who could go on this bulletin, and what if its requirements changed (GET form, nothing saved)."""
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    today = timezone.localdate()
    sent = SUBMIT in request.GET
    form = WhatIfForm(request.GET if sent else None, initial=WhatIfForm.initial_of(bulletin))
    variant = form.variant_of(bulletin) if sent and form.is_valid() else None
    kinds = selectors.clearance_kinds_of(bulletin, *([variant] if variant else []))
    population = Population.load(clearance_kinds=kinds)
    summary = selectors.who_could_go(bulletin, today=today, population=population)
    effect = compare(population, bulletin, variant, today=today) if variant is not None else None
    return render(request, "planning/candidates/bulletin.html", {
        "bulletin": bulletin, "summary": summary, "rules": summary.rule_rows(),
        "tables": selectors.breakdown_tables(summary), "form": form, "effect": effect, "sent": sent,
    })


@role_required("coordinator")
def agency_candidates(request, pk):
    """The coordinator's officers who meet every requirement of a published bulletin, by name, a page at
    a time, with a nomination button each (while the bulletin is open); and the agency's counts."""
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    found = selectors.agency_candidates(request.user, bulletin)
    summary = found["summary"]
    # by name across the pages (not by id, then by name within a page): the page's rows come straight
    # from the ordered queryset, whose count is already known
    paginator = Paginator(selectors.eligible_officers_page_queryset(request.user, bulletin, summary.eligible_ids),
                          PAGE_SIZE)
    paginator.count = len(summary.eligible_ids)
    page = paginator.get_page(request.GET.get("page"))
    officers = list(page.object_list)
    if officers:
        audit_read(actor=request.user, model=Officer, event="read.candidates", rows=len(officers), request=request,
                   detail={"bulletin": bulletin.pk})
    return render(request, "planning/candidates/agency.html", {
        "bulletin": bulletin, "summary": summary, "rules": summary.rule_rows(), "officers": officers,
        "page": page, "can_nominate": bulletin.is_open,
    })


@require_POST
@role_required("coordinator")
def nominate(request, pk):
    """One click: the coordinator nominates one of their officers (roster's nomination service; the
    button says that it confirms the agency's release). An officer of another agency answers 404."""
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=pk)
    officer = get_visible_or_404(officer_visible_to(request.user).filter(is_active=True, anonymised_at__isnull=True),
                                 pk=bounded_id(request.POST.get("officer")))
    try:
        application_nominate(bulletin=bulletin, officer=officer, actor=request.user, release_confirmed=True)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s was nominated for %(reference)s.")
                         % {"name": officer.full_name, "reference": bulletin.reference})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("planning:candidates-agency", pk=bulletin.pk)
