"""The ledger pages across the visibility matrix: a coordinator never sees another agency's claims,
officers see none, IPO staff see all; lists have pinned query counts; bad input never answers 500."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from ledger.models import Claim, ClaimStatus
from tests import factories as f
from tests.conftest import client_for

from .conftest import Q1, Q2, Q3, Q4, file_claim, move, pdf

pytestmark = pytest.mark.django_db
S = ClaimStatus
NBSP = "\u00a0"


@pytest.fixture
def claims(tours):
    """A's claims of X's tour: Q1 paid, Q2 partly approved, Q3 awaiting review; B's claim of Y's Q1."""
    w = tours
    w.a_paid = move(move(file_claim(w.tour_x, w.coord_a, period_start=Q1, documents=[pdf()]), S.APPROVED, w.ipo),
                    S.PAID, w.ipo)
    w.a_partly = move(file_claim(w.tour_x, w.coord_a, period_start=Q2), S.PARTLY_APPROVED, w.ipo,
                      approved_amount=Decimal("20000.00"))
    w.a_pending = file_claim(w.tour_x, w.coord_a, period_start=Q3)
    w.b_claim = file_claim(w.tour_y, w.coord_b, period_start=Q1)
    return w


def ids(response):
    return {c.pk for c in response.context["page"]}


# --- the claims list ------------------------------------------------------------------------------

def test_each_coordinator_sees_only_their_agencys_claims_and_ipo_staff_see_all(claims, clients):
    assert ids(clients.coord_a.get(reverse("ledger:claims"))) == {claims.a_paid.pk, claims.a_partly.pk,
                                                                  claims.a_pending.pk}
    assert ids(clients.coord_b.get(reverse("ledger:claims"))) == {claims.b_claim.pk}
    assert len(ids(clients.ipo.get(reverse("ledger:claims")))) == 4
    assert clients.officer_x.get(reverse("ledger:claims")).status_code == 403
    assert clients.anonymous.get(reverse("ledger:claims")).status_code == 302


def test_the_balances_are_the_agencys_and_exact(claims, clients):
    balance = clients.coord_a.get(reverse("ledger:claims")).context["balance"]
    each = Decimal("27734.75")
    assert balance.claimed == 3 * each
    assert balance.pending == each
    assert balance.approved == each + Decimal("20000.00")
    assert balance.paid == each
    assert balance.outstanding == Decimal("20000.00")
    html = clients.coord_a.get(reverse("ledger:claims")).content.decode()
    assert "$83,204.25" in html and "$20,000.00" in html


def test_amounts_are_written_in_french_for_a_french_reader(claims, clients):
    claims.coord_a.preferred_language = "fr"
    claims.coord_a.save()
    html = client_for(claims.coord_a).get(reverse("ledger:claims"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"83{NBSP}204,25{NBSP}$" in html


def test_filters_narrow_the_list_and_its_balances(claims, clients):
    response = clients.ipo.get(reverse("ledger:claims"), {"status": "owed"})
    assert ids(response) == {claims.a_partly.pk}
    assert response.context["balance"].outstanding == Decimal("20000.00")
    assert ids(clients.ipo.get(reverse("ledger:claims"), {"agency": claims.agency_b.pk})) == {claims.b_claim.pk}
    assert ids(clients.ipo.get(reverse("ledger:claims"), {"year": 2023})) == {claims.a_paid.pk, claims.b_claim.pk}
    assert ids(clients.ipo.get(reverse("ledger:claims"), {"mission": claims.mission.pk})) == {
        claims.a_paid.pk, claims.a_partly.pk, claims.a_pending.pk, claims.b_claim.pk}


def test_a_coordinator_cannot_filter_by_another_agency(claims, clients):
    response = clients.coord_a.get(reverse("ledger:claims"), {"agency": claims.agency_b.pk})
    assert "agency" not in response.context["filter"].fields
    assert ids(response) == {claims.a_paid.pk, claims.a_partly.pk, claims.a_pending.pk}


@pytest.mark.parametrize("query", [
    {"status": "bogus"}, {"year": "abc"}, {"year": "1800"}, {"agency": "99999999999999999999"},
    {"mission": "x"}, {"after": "!!!"}, {"before": "e30"}, {"by": "nonsense"}, {"page": "-4"},
])
def test_bad_input_is_ignored_not_an_error(claims, clients, query):
    for name in ("ledger:claims", "ledger:summary"):
        assert clients.ipo.get(reverse(name), query).status_code == 200
    assert clients.coord_a.get(reverse("ledger:claimable"), query).status_code == 200


def _many_claims(w, n):
    """n more claims of agency A, each on its own completed tour of a new officer of A."""
    for i in range(n):
        officer = f.OfficerFactory(agency=w.agency_a)
        tour = f.DeploymentFactory(officer=officer, mission=w.mission, status="completed", start_date=Q1,
                                   planned_end_date=dt.date(2024, 12, 20), actual_end_date=dt.date(2024, 12, 20))
        claim = file_claim(tour, w.coord_a, period_start=Q4)
        if i % 2:
            move(claim, S.APPROVED, w.ipo)


@pytest.mark.parametrize("many", [False, True])
def test_the_claims_list_runs_a_fixed_number_of_queries(claims, many, django_assert_num_queries):
    if many:
        _many_claims(claims, 30)
    ipo, coord = client_for(claims.ipo), client_for(claims.coord_a)
    ipo.get(reverse("ledger:claims"))
    # session, user, balances, page, the filter's missions, and the filter's agencies (IPO staff) or the
    # coordinator's agency (its name in the heading)
    with django_assert_num_queries(6):
        assert ipo.get(reverse("ledger:claims")).status_code == 200
    with django_assert_num_queries(6):
        assert coord.get(reverse("ledger:claims")).status_code == 200


# --- the ledger ----------------------------------------------------------------------------------------

def _rows(response):
    return {row.label: row.balance for row in response.context["rows"]}


def test_the_program_ledger_by_agency_mission_and_fiscal_year(claims, clients):
    by_agency = _rows(clients.ipo.get(reverse("ledger:summary"), {"by": "agency"}))
    assert by_agency["Agency A Police"].claimed == Decimal("83204.25")
    assert by_agency["Agency B Police"].pending == Decimal("27734.75")
    by_year = _rows(clients.ipo.get(reverse("ledger:summary"), {"by": "year"}))
    assert set(by_year) == {"2023\u20132024", "2024\u20132025"}
    assert by_year["2023\u20132024"].claimed == 2 * Decimal("27734.75")
    by_mission = _rows(clients.ipo.get(reverse("ledger:summary"), {"by": "mission"}))
    assert by_mission["BINUH"].claims == 4
    total = clients.ipo.get(reverse("ledger:summary")).context["total"]
    assert total.claimed == 4 * Decimal("27734.75")


def test_a_coordinators_ledger_is_their_agencys_and_not_grouped_by_agency(claims, clients):
    response = clients.coord_b.get(reverse("ledger:summary"), {"by": "agency"})
    assert response.context["by"] == "mission"
    assert _rows(response)["BINUH"].claimed == Decimal("27734.75")
    assert response.context["total"].claims == 1


@pytest.mark.parametrize("many", [False, True])
def test_the_ledger_runs_a_fixed_number_of_queries(claims, many, django_assert_num_queries):
    if many:
        _many_claims(claims, 12)
        for i in range(5):
            f.AgencyFactory(slug=f"extra-{i}")
    ipo = client_for(claims.ipo)
    ipo.get(reverse("ledger:summary"))
    # session, user, total, the page's count and rows, the filter's missions and agencies
    with django_assert_num_queries(7):
        assert ipo.get(reverse("ledger:summary"), {"by": "agency"}).status_code == 200


# --- filing ----------------------------------------------------------------------------------------

def test_the_coordinator_sees_their_tours_and_the_periods_left_to_claim(claims, clients):
    response = clients.coord_a.get(reverse("ledger:claimable"))
    tours = {d.pk: d for d in response.context["deployments"]}
    assert set(tours) == {claims.tour_x.pk, claims.dep_x.pk}
    assert [p.start for p in tours[claims.tour_x.pk].open_periods] == [Q4]
    assert tours[claims.tour_x.pk].claimed_periods == 3
    assert claims.tour_y.pk not in tours
    assert clients.ipo.get(reverse("ledger:claimable")).status_code == 403


def test_an_rcmp_coordinator_has_no_tours_to_claim(claims):
    response = client_for(claims.rcmp_coord).get(reverse("ledger:claimable"))
    assert response.context["deployments"] == []


@pytest.mark.parametrize("many", [False, True])
def test_the_tours_list_runs_a_fixed_number_of_queries(claims, many, django_assert_num_queries):
    if many:
        _many_claims(claims, 10)
    coord = client_for(claims.coord_a)
    coord.get(reverse("ledger:claimable"))
    with django_assert_num_queries(5):  # session, user, count, page, the page's claims
        assert coord.get(reverse("ledger:claimable")).status_code == 200


def test_filing_a_claim_through_the_page(tours, clients):
    url = reverse("ledger:claim-create", args=[tours.tour_x.pk])
    page = clients.coord_a.get(url)
    assert [key for key, _label in page.context["form"].fields["period"].choices] == [
        "2024-01-15", "2024-04-01", "2024-07-01", "2024-10-01"]
    response = clients.coord_a.post(url, {"period": "2024-04-01", "salary": "20000.00", "benefits": "5000.50",
                                          "overtime": "0", "allowances": "1500", "note": "",
                                          "documents": [pdf()]})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledger:claim-detail", args=[claim.pk])
    assert claim.claimed_amount == Decimal("26500.50") and claim.documents.count() == 1


def test_a_refused_claim_shows_the_errors_next_to_the_fields(tours, clients):
    url = reverse("ledger:claim-create", args=[tours.tour_x.pk])
    response = clients.coord_a.post(url, {"period": "2024-04-01", "salary": "-5", "benefits": "0", "overtime": "0",
                                          "allowances": "0"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "salary" in errors
    response = clients.coord_a.post(url, {"period": "2099-01-01", "salary": "1", "benefits": "0", "overtime": "0",
                                          "allowances": "0"})
    assert response.status_code == 400 and "period" in response.context["form"].errors
    response = clients.coord_a.post(url, {"period": "2024-04-01", "salary": "1", "benefits": "0", "overtime": "0",
                                          "allowances": "0", "documents": [pdf_bad()]})
    assert response.status_code == 400
    assert response.context["form"].errors["documents"] == ["bad.pdf is not a PDF document."]
    assert not Claim.objects.exists()


def pdf_bad():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bad.pdf", b"GIF89a not a pdf")


@pytest.mark.parametrize(("persona", "status"), [
    ("coord_a", 200), ("coord_b", 404), ("ipo", 403), ("officer_x", 403), ("officer_y", 404)])
def test_only_the_agencys_coordinator_opens_the_claim_form(tours, clients, persona, status):
    url = reverse("ledger:claim-create", args=[tours.tour_x.pk])
    assert getattr(clients, persona).get(url).status_code == status


# --- one claim -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("ipo", 200), ("coord_a", 200), ("coord_b", 404), ("officer_x", 404), ("officer_y", 404), ("anonymous", 302)])
def test_a_claim_and_its_documents_are_seen_by_ipo_staff_and_its_agency_only(claims, clients, persona, status):
    client = getattr(clients, persona)
    assert client.get(reverse("ledger:claim-detail", args=[claims.a_paid.pk])).status_code == status
    doc = claims.a_paid.documents.get()
    response = client.get(reverse("ledger:claim-document", args=[claims.a_paid.pk, doc.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_document_is_only_served_with_its_own_claim(claims, clients):
    doc = claims.a_paid.documents.get()
    url = reverse("ledger:claim-document", args=[claims.a_partly.pk, doc.pk])
    assert clients.coord_a.get(url).status_code == 404


def test_reading_a_claim_and_its_document_is_in_the_audit_trail(claims, clients):
    clients.coord_a.get(reverse("ledger:claim-detail", args=[claims.a_paid.pk]))
    clients.ipo.get(reverse("ledger:claim-document", args=[claims.a_paid.pk, claims.a_paid.documents.get().pk]))
    events = set(AuditEntry.objects.filter(kind=AuditEntry.Kind.READ).values_list("event", flat=True))
    assert {"read.claim", "read.claim_document"} <= events


def test_ipo_staff_see_the_decision_form_and_the_agency_the_withdraw_form(claims, clients):
    url = reverse("ledger:claim-detail", args=[claims.a_pending.pk])
    ipo = clients.ipo.get(url).context
    assert "decision_form" in ipo and "withdraw_form" not in ipo
    coord = clients.coord_a.get(url).context
    assert "withdraw_form" in coord and "documents_form" in coord and "decision_form" not in coord
    paid = clients.ipo.get(reverse("ledger:claim-detail", args=[claims.a_paid.pk])).context
    assert not any(k in paid for k in ("decision_form", "payment_form", "withdraw_form"))


def test_deciding_through_the_page(claims, clients):
    url = reverse("ledger:claim-decide", args=[claims.a_pending.pk])
    response = clients.ipo.post(url, {"decide-decision": "partly_approved", "decide-approved_amount": "",
                                      "decide-reason": ""})
    assert response.status_code == 400
    errors = response.context["decision_form"].errors
    assert "approved_amount" in errors and "reason" in errors
    response = clients.ipo.post(url, {"decide-decision": "partly_approved", "decide-approved_amount": "1000.10",
                                      "decide-reason": "Overtime not pre-approved"})
    assert response.status_code == 302
    claims.a_pending.refresh_from_db()
    assert claims.a_pending.status == S.PARTLY_APPROVED and claims.a_pending.approved_amount == Decimal("1000.10")


@pytest.mark.parametrize(("persona", "status"), [("coord_a", 403), ("coord_b", 404), ("officer_x", 404)])
def test_nobody_else_decides_or_pays(claims, clients, persona, status):
    client = getattr(clients, persona)
    assert client.post(reverse("ledger:claim-decide", args=[claims.a_pending.pk]),
                       {"decide-decision": "approved"}).status_code == status
    assert client.post(reverse("ledger:claim-pay", args=[claims.a_partly.pk]),
                       {"pay-paid_on": "2025-01-01"}).status_code == status
    claims.a_pending.refresh_from_db()
    assert claims.a_pending.status == S.SUBMITTED


def test_paying_through_the_page(claims, clients):
    url = reverse("ledger:claim-pay", args=[claims.a_partly.pk])
    assert clients.ipo.post(url, {"pay-paid_on": "2999-01-01"}).status_code == 400
    assert clients.ipo.post(url, {"pay-paid_on": "garbage"}).status_code == 400
    today = dt.date.today().isoformat()
    assert clients.ipo.post(url, {"pay-paid_on": today, "pay-payment_reference": "EFT 123"}).status_code == 302
    claims.a_partly.refresh_from_db()
    assert claims.a_partly.status == S.PAID and claims.a_partly.payment_reference == "EFT 123"


def test_withdrawing_through_the_page(claims, clients):
    url = reverse("ledger:claim-withdraw", args=[claims.a_pending.pk])
    assert clients.ipo.post(url).status_code == 403
    assert clients.coord_b.post(url).status_code == 404
    assert clients.coord_a.post(url, {"withdraw-reason": "Amounts wrong"}).status_code == 302
    claims.a_pending.refresh_from_db()
    assert claims.a_pending.status == S.WITHDRAWN


def test_adding_documents_through_the_page(claims, clients):
    url = reverse("ledger:claim-documents-add", args=[claims.a_pending.pk])
    assert clients.ipo.post(url, {"documents": [pdf()]}).status_code == 403
    assert clients.coord_b.post(url, {"documents": [pdf()]}).status_code == 404
    assert clients.coord_a.post(url, {"documents": [pdf_bad()]}).status_code == 400
    assert clients.coord_a.post(url, {"documents": [pdf()]}).status_code == 302
    assert claims.a_pending.documents.count() == 1
    # once decided, the agency is told why it cannot add any
    response = clients.coord_a.post(reverse("ledger:claim-documents-add", args=[claims.a_paid.pk]),
                                    {"documents": [pdf()]})
    assert response.status_code == 302 and claims.a_paid.documents.count() == 1


# --- exports -------------------------------------------------------------------------------------------

def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_export_holds_the_rows_its_user_may_see_with_exact_amounts(claims, clients):
    rows = _csv(clients.coord_b.get(reverse("ledger:export", args=["csv"])))
    assert len(rows) == 2 and rows[1][0] == str(claims.b_claim.pk)
    header = rows[0]
    assert rows[1][header.index("Amount claimed (CAD)")] == "27734.75"
    rows = _csv(clients.ipo.get(reverse("ledger:export", args=["csv"]), {"agency": claims.agency_a.pk}))
    assert {r[0] for r in rows[1:]} == {str(claims.a_paid.pk), str(claims.a_partly.pk), str(claims.a_pending.pk)}
    entry = AuditEntry.objects.filter(event="read.export").latest("pk")
    assert entry.rows == 3


def test_the_excel_export_writes_amounts_as_numbers(claims, clients):
    response = clients.coord_a.get(reverse("ledger:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(rows) == 4
    claimed = rows[0].index("Amount claimed (CAD)")
    assert {Decimal(str(r[claimed])) for r in rows[1:]} == {Decimal("27734.75")}


@pytest.mark.parametrize(("persona", "status"), [("officer_x", 403), ("anonymous", 302)])
def test_officers_and_strangers_export_nothing(claims, clients, persona, status):
    assert getattr(clients, persona).get(reverse("ledger:export", args=["csv"])).status_code == status


@pytest.mark.parametrize("many", [False, True])
def test_a_claims_page_runs_a_fixed_number_of_queries(tours, many, django_assert_num_queries):
    """Whatever its documents and history: a claim awaiting review with one document, or one decided,
    paid and holding every document it may."""
    w = tours
    if many:
        claim = file_claim(w.tour_x, w.coord_a, documents=[pdf(f"doc-{i}.pdf") for i in range(5)])
        claim = move(move(claim, S.APPROVED, w.ipo), S.PAID, w.ipo)
    else:
        claim = file_claim(w.tour_x, w.coord_a, documents=[pdf()])
    url = reverse("ledger:claim-detail", args=[claim.pk])
    for user in (w.ipo, w.coord_a):
        client = client_for(user)
        client.get(url)
        # session, user, the claim (agency, tour, officer, mission, people), the audit entry, its
        # events with their actors, its documents
        with django_assert_num_queries(6):
            assert client.get(url).status_code == 200
