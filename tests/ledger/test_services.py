"""Filing, reviewing and paying claims: every rule of ledger.services, and its forbidden case."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEntry
from ledger import services
from ledger.models import Claim, ClaimDocument, ClaimEvent, ClaimStatus
from notifications.models import OutgoingMail
from tests import factories as f

from .conftest import Q1, Q2, Q3, amounts, file_claim, move, pdf

pytestmark = pytest.mark.django_db
S = ClaimStatus


def mails(template):
    return OutgoingMail.objects.filter(kind=template)


# --- filing --------------------------------------------------------------------------------------

def test_the_coordinator_files_a_claim_whose_total_is_the_exact_sum_of_its_parts(tours):
    claim = file_claim(tours.tour_x, tours.coord_a, documents=[pdf()], note="Q1 pay")
    claim.refresh_from_db()
    assert claim.status == S.SUBMITTED and claim.agency == tours.agency_a
    assert claim.claimed_amount == Decimal("27734.75")
    assert (claim.period_start, claim.period_end, claim.fiscal_year) == (Q2, dt.date(2024, 6, 30), 2024)
    assert claim.documents.count() == 1
    event = claim.events.get()
    assert (event.from_status, event.to_status, event.actor, event.amount) == ("", S.SUBMITTED, tours.coord_a,
                                                                               Decimal("27734.75"))
    # IPO staff are told, in their language, with the amount as they write it
    mail = mails("claim_submitted").get()
    assert mail.to == tours.ipo.email and "$27,734.75" in mail.subject
    assert AuditEntry.objects.filter(object_pk=str(claim.pk), action=AuditEntry.Action.CREATE).exists()


def test_a_program_address_for_claims_replaces_the_staff_list(tours, settings):
    settings.ROSTER = {**settings.ROSTER, "LEDGER_EMAIL": "ipo-finance@ipo.example"}
    file_claim(tours.tour_x, tours.coord_a)
    assert list(mails("claim_submitted").values_list("to", flat=True)) == ["ipo-finance@ipo.example"]


@pytest.mark.parametrize("who", ["coord_b", "ipo", "user_x", "rcmp_coord"])
def test_only_the_officers_own_partner_agency_coordinator_files_a_claim(tours, who):
    with pytest.raises(PermissionDenied):
        file_claim(tours.tour_x, getattr(tours, who))
    assert not Claim.objects.exists()


def test_the_rcmp_does_not_claim_its_own_officers(tours):
    with pytest.raises(PermissionDenied):
        file_claim(tours.tour_rcmp, tours.rcmp_coord)


def test_an_agency_that_left_the_program_files_no_claim(tours):
    tours.agency_a.is_partner = False
    tours.agency_a.save()
    with pytest.raises(PermissionDenied):
        file_claim(tours.tour_x, tours.coord_a)


def test_a_tour_that_has_not_begun_has_nothing_to_claim(tours):
    planned = f.DeploymentFactory(officer=tours.officer_x, mission=tours.mission, status="planned",
                                  start_date=dt.date(2023, 1, 1), planned_end_date=dt.date(2023, 6, 1))
    with pytest.raises(PermissionDenied):
        file_claim(planned, tours.coord_a, period_start=dt.date(2023, 1, 1))


def test_a_period_must_be_one_of_the_tours_periods(tours):
    with pytest.raises(ValidationError) as exc:
        file_claim(tours.tour_x, tours.coord_a, period_start=dt.date(2024, 2, 1))
    assert "period" in exc.value.message_dict


def test_a_period_not_yet_begun_cannot_be_claimed(tours):
    ongoing = tours.dep_x  # began 30 days ago, ends in 335 days
    next_quarter = ongoing.planned_end_date - dt.timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        file_claim(ongoing, tours.coord_a, period_start=next_quarter.replace(day=1))
    assert "period" in exc.value.message_dict


def test_a_period_is_claimed_once_until_the_claim_is_rejected_or_withdrawn(tours):
    first = file_claim(tours.tour_x, tours.coord_a)
    with pytest.raises(ValidationError) as exc:
        file_claim(tours.tour_x, tours.coord_a)
    assert exc.value.message_dict["period"] == ["This period of the tour is already claimed."]
    move(first, S.REJECTED, tours.ipo)
    second = file_claim(tours.tour_x, tours.coord_a)
    move(second, S.WITHDRAWN, tours.coord_a)
    file_claim(tours.tour_x, tours.coord_a)
    assert Claim.objects.filter(period_start=Q2).count() == 3


def test_the_database_refuses_a_second_live_claim_of_a_period(tours):
    claim = file_claim(tours.tour_x, tours.coord_a)
    claim.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("salary", Decimal("-1.00"), "An amount cannot be negative."),
    ("benefits", Decimal("10.005"), "Use at most two decimal places (cents)."),
    ("overtime", "ten dollars", "Enter an amount in dollars and cents, e.g. 1234.56."),
    ("allowances", Decimal("NaN"), "Enter an amount in dollars and cents, e.g. 1234.56."),
    ("salary", Decimal("10000000000.00"), "This amount is too large."),
])
def test_amounts_are_exact_non_negative_cents(tours, field, value, message):
    with pytest.raises(ValidationError) as exc:
        file_claim(tours.tour_x, tours.coord_a, **{field: value})
    assert exc.value.message_dict[field] == [message]


def test_a_claim_of_nothing_is_refused(tours):
    with pytest.raises(ValidationError) as exc:
        file_claim(tours.tour_x, tours.coord_a, **amounts("0", "0", "0", "0"))
    assert "more than zero" in exc.value.message_dict["__all__"][0]


def test_an_amount_is_never_a_float(tours):
    with pytest.raises(TypeError):
        file_claim(tours.tour_x, tours.coord_a, salary=1234.56)


def test_documents_must_be_plain_pdfs_and_a_refused_claim_leaves_no_file(tours):
    storage = ClaimDocument._meta.get_field("file").storage
    before = set(os.listdir(storage.location)) if os.path.exists(storage.location) else set()
    fake = SimpleUploadedFile("statement.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as exc:
        file_claim(tours.tour_x, tours.coord_a, documents=[pdf(), fake])
    assert "statement.pdf is not a PDF document." in exc.value.message_dict["documents"]
    assert not Claim.objects.exists() and not ClaimDocument.objects.exists()
    after = set(os.listdir(storage.location)) if os.path.exists(storage.location) else set()
    assert after == before


def test_a_failure_after_the_files_are_written_removes_them(tours, monkeypatch):
    storage = ClaimDocument._meta.get_field("file").storage

    def boom(*args, **kwargs):
        raise RuntimeError("mail down")

    def files():
        return {os.path.join(root, name) for root, _dirs, names in os.walk(storage.location) for name in names}

    before = files()
    monkeypatch.setattr(services, "_notify", boom)
    with pytest.raises(RuntimeError):
        file_claim(tours.tour_x, tours.coord_a, documents=[pdf()])
    assert not Claim.objects.exists()
    assert files() == before


def test_at_most_the_configured_number_of_documents(tours, settings):
    settings.ROSTER = {**settings.ROSTER, "CLAIM_DOCUMENTS_PER_CLAIM": 2}
    with pytest.raises(ValidationError) as exc:
        file_claim(tours.tour_x, tours.coord_a, documents=[pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")])
    assert exc.value.message_dict["documents"] == ["At most 2 documents per claim."]
    claim = file_claim(tours.tour_x, tours.coord_a, documents=[pdf("a.pdf")])
    assert services.claim_documents_add(claim=claim, actor=tours.coord_a, documents=[pdf("b.pdf")]) == 1
    with pytest.raises(ValidationError):
        services.claim_documents_add(claim=claim, actor=tours.coord_a, documents=[pdf("c.pdf")])


def test_documents_are_added_by_the_agency_while_the_claim_awaits_review(tours):
    claim = file_claim(tours.tour_x, tours.coord_a)
    for who in (tours.ipo, tours.coord_b):
        with pytest.raises(PermissionDenied):
            services.claim_documents_add(claim=claim, actor=who, documents=[pdf()])
    move(claim, S.APPROVED, tours.ipo)
    with pytest.raises(ValidationError):
        services.claim_documents_add(claim=claim, actor=tours.coord_a, documents=[pdf()])


# --- reviewing and paying ------------------------------------------------------------------------------

def test_approving_approves_the_whole_amount_and_tells_the_agency(tours):
    tours.agency_a.mailbox = "ipo-desk@agency-a.example"
    tours.agency_a.save()
    claim = move(file_claim(tours.tour_x, tours.coord_a), S.APPROVED, tours.ipo)
    assert claim.approved_amount == claim.claimed_amount and claim.decided_by == tours.ipo
    assert claim.events.last().to_status == S.APPROVED
    assert sorted(mails("claim_decided").values_list("to", flat=True)) == [
        "coord-a@example.test", "ipo-desk@agency-a.example"]
    assert not mails("claim_decided").filter(to="coord-b@example.test").exists()


def test_a_partial_approval_needs_an_amount_below_the_claim_and_a_reason(tours):
    claim = file_claim(tours.tour_x, tours.coord_a)
    for amount, field in ((None, "approved_amount"), (Decimal("0.00"), "approved_amount"),
                          (claim.claimed_amount, "approved_amount"), (Decimal("1.001"), "approved_amount")):
        with pytest.raises(ValidationError) as exc:
            move(claim, S.PARTLY_APPROVED, tours.ipo, approved_amount=amount)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        move(claim, S.PARTLY_APPROVED, tours.ipo, reason="  ")
    assert "reason" in exc.value.message_dict
    claim = move(claim, S.PARTLY_APPROVED, tours.ipo, approved_amount=Decimal("26500.25"), reason="Overtime")
    assert claim.approved_amount == Decimal("26500.25") and claim.decision_reason == "Overtime"
    assert claim.events.last().amount == Decimal("26500.25")


def test_a_rejection_needs_a_reason_and_approves_nothing(tours):
    claim = file_claim(tours.tour_x, tours.coord_a)
    with pytest.raises(ValidationError):
        move(claim, S.REJECTED, tours.ipo, reason="")
    claim = move(claim, S.REJECTED, tours.ipo, reason="Not our officer")
    assert claim.approved_amount is None
    assert "Not our officer" in mails("claim_decided").get().body_text


def test_only_ipo_staff_decide_and_pay(tours):
    claim = file_claim(tours.tour_x, tours.coord_a)
    for who in (tours.coord_a, tours.coord_b, tours.user_x):
        for to in (S.APPROVED, S.PARTLY_APPROVED, S.REJECTED):
            with pytest.raises(PermissionDenied):
                move(claim, to, who)
    move(claim, S.APPROVED, tours.ipo)
    with pytest.raises(PermissionDenied):
        move(claim, S.PAID, tours.coord_a)


def test_only_the_agency_withdraws_and_only_while_awaiting_review(tours):
    claim = file_claim(tours.tour_x, tours.coord_a)
    for who in (tours.ipo, tours.coord_b):
        with pytest.raises(PermissionDenied):
            move(claim, S.WITHDRAWN, who)
    move(claim, S.WITHDRAWN, tours.coord_a, reason="Wrong amounts")
    assert not mails("claim_decided").exists()
    with pytest.raises(ValidationError):
        move(claim, S.WITHDRAWN, tours.coord_a)


@pytest.mark.parametrize(("path", "to"), [
    ([], S.PAID),  # not approved yet
    ([S.REJECTED], S.PAID),
    ([S.APPROVED], S.REJECTED),
    ([S.APPROVED, S.PAID], S.APPROVED),
    ([S.APPROVED, S.PAID], S.WITHDRAWN),
    ([], "bogus"),
])
def test_moves_outside_the_table_are_refused(tours, path, to):
    claim = file_claim(tours.tour_x, tours.coord_a)
    for step in path:
        claim = move(claim, step, tours.ipo)
    with pytest.raises(ValidationError):
        move(claim, to, tours.ipo)


def test_marking_paid_records_the_date_and_reference_and_tells_the_agency(tours):
    claim = move(move(file_claim(tours.tour_x, tours.coord_a), S.PARTLY_APPROVED, tours.ipo), S.PAID, tours.ipo,
                 payment_reference="PSC-2025-0042")
    assert claim.status == S.PAID and claim.paid_on == timezone.localdate()
    assert claim.payment_reference == "PSC-2025-0042"
    assert [e.to_status for e in claim.events.all()] == [S.SUBMITTED, S.PARTLY_APPROVED, S.PAID]
    mail = mails("claim_paid").get()
    assert "$100.00" in mail.subject and "PSC-2025-0042" in mail.body_text


def test_a_payment_date_is_given_not_in_the_future_nor_before_the_approval(tours):
    claim = move(file_claim(tours.tour_x, tours.coord_a), S.APPROVED, tours.ipo)
    for paid_on in (None, timezone.localdate() + dt.timedelta(days=1), timezone.localdate() - dt.timedelta(days=3)):
        with pytest.raises(ValidationError) as exc:
            services.claim_transition(claim=claim, to=S.PAID, actor=tours.ipo, paid_on=paid_on)
        assert "paid_on" in exc.value.message_dict


def test_the_emails_of_a_decision_are_in_the_coordinators_language(tours):
    tours.coord_a.preferred_language = "fr"
    tours.coord_a.save()
    move(file_claim(tours.tour_x, tours.coord_a), S.APPROVED, tours.ipo)
    mail = mails("claim_decided").get(to="coord-a@example.test")
    assert mail.language == "fr" and "27\u00a0734,75\u00a0$" in mail.body_text


def test_every_change_is_an_event_and_an_audit_entry(tours):
    claim = move(move(file_claim(tours.tour_x, tours.coord_a), S.APPROVED, tours.ipo), S.PAID, tours.ipo)
    assert ClaimEvent.objects.filter(claim=claim).count() == 3
    updates = AuditEntry.objects.filter(object_pk=str(claim.pk), action=AuditEntry.Action.UPDATE)
    assert updates.count() == 2


def test_a_claim_of_another_period_or_tour_is_independent(tours):
    file_claim(tours.tour_x, tours.coord_a, period_start=Q1)
    file_claim(tours.tour_x, tours.coord_a, period_start=Q3)
    file_claim(tours.tour_y, tours.coord_b, period_start=Q1)
    assert Claim.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_racing_for_one_period_file_one_claim(tours):
    import threading

    from django.db import connection

    second = f.CoordinatorFactory(email="coord-a2@example.test", agency=tours.agency_a)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(user):
        try:
            barrier.wait()
            file_claim(tours.tour_x, user)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict.get("period"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (tours.coord_a, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == sorted(["ok", str(["This period of the tour is already claimed."])])
    assert Claim.objects.count() == 1
