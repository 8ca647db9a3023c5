"""Need to know: a repatriation for medical, compassionate or disciplinary reasons names its reason, and
shows its note, only to IPO staff and the officer concerned. A coordinator, even of the officer's own
agency, reads "Repatriated early", on every page, in the exports and in the email they receive. Other
reasons (security, mission closure, other) stay visible to whoever sees the deployment.

Each test repatriates officer X (agency A) for a sensitive reason and a second officer of agency A,
Abe Aaron, for another reason, so that it fails both without the rule and with a rule that hides too much.
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from notifications.models import OutgoingMail
from notifications.services import Recipient
from roster import services
from roster.models import Deployment
from roster.permissions import (
    CONFIDENTIAL_REPATRIATION_REASONS,
    can_read_repatriation_reason,
    recipient_can_read_repatriation_reason,
)
from roster.selectors import repatriation_note_for, repatriation_reason_for
from tests import factories as f
from tests.pages import page_text

R = Deployment.RepatriationReason
# (sensitive, other): every sensitive reason, and every other one, in some pair
PAIRS = [(R.MEDICAL, R.SECURITY), (R.COMPASSIONATE, R.MISSION_CLOSURE), (R.DISCIPLINARY, R.OTHER)]
NOTE = "Zygomatic fracture, flown home by the unit"
OPEN_NOTE = "Whole contingent withdrawn by the host state"
EARLY = "Repatriated early"


def label(reason) -> str:
    return str(R(reason).label)


@pytest.fixture(params=PAIRS, ids=lambda pair: "-".join(pair))
def rep(world, request):
    """`rep.sensitive`: officer X's deployment, repatriated for a sensitive reason; `rep.open`: Abe Aaron's
    (agency A), repatriated for another reason. Both through the service, so their emails are queued."""
    sensitive, other = request.param
    aaron = f.OfficerFactory(agency=world.agency_a, first_name="Abe", last_name="Aaron")
    dep = f.DeploymentFactory(officer=aaron, mission=world.mission)
    world.rep_sensitive = services.deployment_repatriate(
        deployment=world.dep_x, actor=world.ipo, reason=sensitive, note=NOTE)
    world.rep_open = services.deployment_repatriate(deployment=dep, actor=world.ipo, reason=other, note=OPEN_NOTE)
    world.sensitive, world.other, world.aaron = sensitive, other, aaron
    return world


def get_page(client, name, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return page_text(response)


def read_export(client, fmt) -> dict[str, str]:
    response = client.get(reverse("roster:export-deployments", kwargs={"fmt": fmt}),
                          {"start": "2000-01-01", "end": "2099-12-31"})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8")[1:])))
    else:
        sheet = load_workbook(io.BytesIO(response.getvalue()), read_only=True).active
        rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    column = rows[0].index("Repatriation reason")
    return {row[0]: row[column] for row in rows[1:]}


def test_the_sensitive_codes_are_medical_compassionate_and_disciplinary(world):
    assert CONFIDENTIAL_REPATRIATION_REASONS == {R.MEDICAL, R.COMPASSIONATE, R.DISCIPLINARY}
    readable = {code for code in R.values
                if can_read_repatriation_reason(world.coord_a, Deployment(officer=world.officer_x,
                                                                          repatriation_reason=code))}
    assert readable == {R.SECURITY, R.MISSION_CLOSURE, R.OTHER}


# --- the predicate and the display values --------------------------------------------------------

def test_only_ipo_staff_and_the_officer_concerned_read_a_sensitive_reason(rep):
    d = rep.rep_sensitive
    assert can_read_repatriation_reason(rep.ipo, d) and can_read_repatriation_reason(rep.user_x, d)
    for user in (rep.coord_a, rep.coord_b, rep.user_y):
        assert not can_read_repatriation_reason(user, d)
    assert (repatriation_reason_for(rep.ipo, d), repatriation_note_for(rep.ipo, d)) == (label(rep.sensitive), NOTE)
    assert (repatriation_reason_for(rep.user_x, d), repatriation_note_for(rep.user_x, d)) == (
        label(rep.sensitive), NOTE)
    assert (repatriation_reason_for(rep.coord_a, d), repatriation_note_for(rep.coord_a, d)) == (EARLY, "")
    # another reason: whoever sees the deployment reads it
    assert can_read_repatriation_reason(rep.coord_a, rep.rep_open)
    assert (repatriation_reason_for(rep.coord_a, rep.rep_open), repatriation_note_for(rep.coord_a, rep.rep_open)) == (
        label(rep.other), OPEN_NOTE)


def test_an_email_without_an_account_reads_it_only_at_the_officers_own_address(rep):
    d = rep.rep_sensitive
    assert recipient_can_read_repatriation_reason(Recipient(email=rep.officer_x.email.upper()), d)
    assert not recipient_can_read_repatriation_reason(Recipient(email="someone@example.test"), d)
    assert not recipient_can_read_repatriation_reason(
        Recipient(email=rep.officer_x.email, user_id=rep.coord_a.pk), d, user=rep.coord_a)
    assert recipient_can_read_repatriation_reason(Recipient(email="someone@example.test"), rep.rep_open)


# --- the deployment page ----------------------------------------------------------------------

def test_the_deployment_page_names_a_sensitive_reason_to_ipo_staff_and_the_officer_only(rep, clients):
    shown = f'data-testid="repatriation-reason">{label(rep.sensitive)}: {NOTE}</dd>'
    for client in (clients.ipo, clients.officer_x):
        html = get_page(client, "roster:deployment-detail", rep.dep_x.pk)
        assert shown in html
        assert f"({label(rep.sensitive)})." in html  # the history's summary
        assert html.count(NOTE) == 2  # the reason's line and the history's note
        assert EARLY not in html
    html = get_page(clients.coord_a, "roster:deployment-detail", rep.dep_x.pk)
    assert f'data-testid="repatriation-reason">{EARLY}</dd>' in html
    assert "Repatriated early on " in html  # the history's summary
    assert label(rep.sensitive) not in html
    assert NOTE not in html
    # another reason, and its note, stay visible to the coordinator
    html = get_page(clients.coord_a, "roster:deployment-detail", rep.rep_open.pk)
    assert f'data-testid="repatriation-reason">{label(rep.other)}: {OPEN_NOTE}</dd>' in html
    assert f"({label(rep.other)})." in html and EARLY not in html


# --- the agency's history (officers have no such page) ------------------------------------------

def test_the_agency_history_names_a_sensitive_reason_to_ipo_staff_only(rep, clients):
    html = get_page(clients.ipo, "roster:agency-history", rep.agency_a.pk)
    assert f'<span class="small">{label(rep.sensitive)}</span>' in html
    assert f'<span class="small">{label(rep.other)}</span>' in html
    assert EARLY not in html
    html = get_page(clients.coord_a, "roster:agency-history", rep.agency_a.pk)
    assert f'<span class="small">{EARLY}</span>' in html
    assert f'<span class="small">{label(rep.other)}</span>' in html
    assert label(rep.sensitive) not in html and NOTE not in html


# --- the deployments export, CSV and Excel (officers have no exports) ----------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_names_a_sensitive_reason_to_ipo_staff_only(rep, clients, fmt):
    ipo = read_export(clients.ipo, fmt)
    assert (ipo["Xavier"], ipo["Aaron"]) == (label(rep.sensitive), label(rep.other))
    coordinator = read_export(clients.coord_a, fmt)
    assert (coordinator["Xavier"], coordinator["Aaron"]) == (EARLY, label(rep.other))


# --- the emails ---------------------------------------------------------------------------------

def mail(to, deployment) -> OutgoingMail:
    return OutgoingMail.objects.filter(to=to, topic=f"deployment:{deployment.pk}").latest("id")


def test_the_officers_email_carries_a_sensitive_reason_and_the_coordinators_does_not(rep):
    officer = mail(rep.user_x.email, rep.rep_sensitive)
    for body in (officer.body_text, officer.body_html):
        assert label(rep.sensitive) in body and NOTE in body and EARLY not in body
    coordinator = mail(rep.coord_a.email, rep.rep_sensitive)
    for body in (coordinator.subject, coordinator.body_text, coordinator.body_html):
        assert label(rep.sensitive) not in body and NOTE not in body
    assert EARLY in coordinator.body_text and EARLY in coordinator.body_html
    # another reason: the coordinator's copy names it
    coordinator = mail(rep.coord_a.email, rep.rep_open)
    for body in (coordinator.body_text, coordinator.body_html):
        assert label(rep.other) in body and OPEN_NOTE in body and EARLY not in body


def test_an_officer_without_an_active_account_gets_the_reason_at_their_own_address(world):
    world.user_x.is_active = False
    world.user_x.save(update_fields=["is_active"])
    d = services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo, reason=R.DISCIPLINARY, note=NOTE)
    officer = mail(world.officer_x.email, d)
    assert "Disciplinary" in officer.body_text and NOTE in officer.body_text
    coordinator = mail(world.coord_a.email, d)
    assert "Disciplinary" not in coordinator.body_text and NOTE not in coordinator.body_text
