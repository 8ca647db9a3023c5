"""The costs claimed for the officer's tours in the Privacy Act archive (privacy.hooks): each claim of
their deployments that the requester may see on the ledger's pages (IPO staff: every one; an officer
reads none there, so none here), with its documents. Two queries."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from privacy.archive import safe_file_name
from privacy.hooks import ArchiveLink, ArchiveSection, ArchiveTable

from .models import ClaimDocument
from .money import format_money
from .selectors import claim_visible_to

AMOUNTS = ("salary", "benefits", "overtime", "allowances", "claimed_amount", "approved_amount")


def document_path(claim, document) -> str:
    return f"documents/claims/{claim.pk}/{document.pk}-{safe_file_name(document.original_name)}"


def section(officer, user) -> ArchiveSection | None:
    claims = list(
        claim_visible_to(user).filter(deployment__officer=officer)
        .select_related("agency", "deployment__mission")
        .prefetch_related(Prefetch("documents", queryset=ClaimDocument.objects.order_by("uploaded_at", "id")))
        .order_by("period_start", "id"))
    if not claims:
        return None
    data, rows, files = [], [], []
    for c in claims:
        documents = [(d, document_path(c, d)) for d in c.documents.all()]
        files += documents
        data.append({
            "id": c.pk, "agency": c.agency.name, "mission": c.deployment.mission.code,
            "period_start": c.period_start.isoformat(), "period_end": c.period_end.isoformat(),
            **{name: getattr(c, name) for name in AMOUNTS},
            "currency": "CAD", "status": c.status, "status_label": c.get_status_display(),
            "note": c.note, "reason": c.decision_reason,
            "decided_at": timezone.localtime(c.decided_at).isoformat() if c.decided_at else None,
            "paid_on": c.paid_on.isoformat() if c.paid_on else None, "payment_reference": c.payment_reference,
            "documents": [{"name": d.original_name, "size": d.size, "file": path} for d, path in documents],
        })
        amounts = [format_money(getattr(c, name)) for name in AMOUNTS]
        links = [ArchiveLink(d.original_name, path) for d, path in documents]
        rows.append([c.deployment.mission.code, c.period_start, c.period_end, *amounts, c.get_status_display(),
                     c.decision_reason, c.paid_on, *(links[:1] or [""])])
        rows += [["", "", "", *[""] * len(AMOUNTS), "", "", "", link] for link in links[1:]]
    table = ArchiveTable(
        caption=_("Cost claims"),
        columns=[_("Mission"), _("Period start"), _("Period end"), _("Salary"), _("Benefits"), _("Overtime"),
                 _("Allowances"), _("Claimed"), pgettext("amount", "Approved"), _("Status"), _("Reason"), _("Paid on"),
                 _("Documents")],
        rows=rows, empty=_("No claims."))
    note = _("What the officer's agency claimed from the program for the officer's pay during each tour (CAD).")
    return ArchiveSection(key="cost_claims", title=_("Cost recovery"), data=data, tables=[table], note=note,
                          files=files)
