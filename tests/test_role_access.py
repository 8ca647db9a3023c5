"""Every URL pattern must appear in ROLE_ACCESS, with the answer each persona gets.

Personas: anonymous, IPO staff, coordinator of agency A, coordinator of agency B,
officer X (agency A) and officer Y (agency B). Objects in the table belong to agency A /
officer X unless said otherwise. A URL added to the project without a row here fails
`test_every_url_pattern_is_in_the_table`.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from notifications.models import OutgoingMail
from tests.conftest import client_for

PERSONAS = ["anonymous", "ipo", "coord_a", "coord_b", "officer_x", "officer_y"]
ALL_SIGNED_IN = {"anonymous": 302, "ipo": 200, "coord_a": 200, "coord_b": 200, "officer_x": 200, "officer_y": 200}
X_ONLY = {"anonymous": 302, "ipo": 200, "coord_a": 200, "coord_b": 404, "officer_x": 200, "officer_y": 404}
STAFF_AND_COORD = {"anonymous": 302, "ipo": 200, "coord_a": 200, "coord_b": 200, "officer_x": 403, "officer_y": 403}
IPO_ONLY = {"anonymous": 302, "ipo": 200, "coord_a": 403, "coord_b": 403, "officer_x": 403, "officer_y": 403}


def _message_to(user):
    from notifications.models import OutgoingMail

    return OutgoingMail.objects.create(
        to=user.email, user=user, subject="Your application", body_text="Hello", message_id=f"<m-{user.pk}@test>"
    )


def _token_of(user):
    from accounts.services import api_token_create

    return api_token_create(user=user, name="HR system", scope="read", days=30)[0]


def row(expect, kwargs=None, method="get", data=None):
    return {"expect": expect, "kwargs": kwargs or (lambda w: {}), "method": method, "data": data}


def _open_bulletin_pk(w):
    """A second open bulletin nobody applied to (the world's has app_x and app_y)."""
    from tests.factories import BulletinFactory

    return BulletinFactory(mission=w.mission).pk


def _endorsed_application_of_x_pk(w):
    from tests.factories import ApplicationFactory, BulletinFactory

    return ApplicationFactory(
        bulletin=BulletinFactory(mission=w.mission), officer=w.officer_x, status="endorsed"
    ).pk


def _document_of_app_x_pk(w):
    from django.core.files.base import ContentFile

    from tests.factories import minimal_pdf_bytes

    pdf = minimal_pdf_bytes()
    return w.app_x.documents.create(file=ContentFile(pdf, name="cv.pdf"), original_name="cv.pdf", size=len(pdf)).pk


def _planned_deployment_of_x_pk(w):
    """X's next tour, planned to start the day dep_x ends."""
    import datetime as dt

    from tests.factories import DeploymentFactory

    return DeploymentFactory(officer=w.officer_x, mission=w.mission, status="planned",
                             start_date=w.dep_x.planned_end_date,
                             planned_end_date=w.dep_x.planned_end_date + dt.timedelta(days=270)).pk


def _officer_due_for_retention_pk(w):
    """An officer of agency A whose profile was added three years ago, with nothing since."""
    import datetime as dt

    from django.utils import timezone

    from agencies.models import Officer
    from tests.factories import OfficerFactory

    officer = OfficerFactory(agency=w.agency_a)
    Officer.objects.filter(pk=officer.pk).update(created_at=timezone.now() - dt.timedelta(days=3 * 366))
    return officer.pk


def _urgent_checkin_of_x_pk(w):
    """An urgent check-in of officer X (in mission on dep_x), not followed up."""
    from welfare.models import CheckIn

    return CheckIn.objects.create(deployment=w.dep_x, officer=w.officer_x, status="urgent", note="Need help").pk


def _ended_deployment_of_x(w):
    """X's earlier tour, completed two years before dep_x."""
    import datetime as dt

    from tests.factories import DeploymentFactory

    start = w.dep_x.start_date - dt.timedelta(days=700)
    return DeploymentFactory(officer=w.officer_x, mission=w.mission, status="completed", start_date=start,
                             planned_end_date=start + dt.timedelta(days=270),
                             actual_end_date=start + dt.timedelta(days=270))


def _return_plan_of_x(w):
    from welfare.models import ReturnPlan, ReturnStep

    deployment = _ended_deployment_of_x(w)
    plan = ReturnPlan.objects.create(deployment=deployment, officer=w.officer_x, ended_on=deployment.actual_end_date)
    ReturnStep.objects.create(plan=plan, kind="debriefing", position=1, due_on=deployment.actual_end_date)
    return plan


def _claim_of_x_pk(w, *, approved=False, document=False):
    """A claim of agency A for the first quarter of officer X's tour (dep_x), filed by coordinator A."""
    from decimal import Decimal

    from django.utils import timezone

    from ledger import periods, services

    period = periods.deployment_periods(w.dep_x, today=timezone.localdate())[0]
    claim = services.claim_submit(deployment=w.dep_x, actor=w.coord_a, period_start=period.start,
                                  salary=Decimal("1000.00"), benefits=Decimal("0"), overtime=Decimal("0"),
                                  allowances=Decimal("0"))
    if approved:
        claim = services.claim_transition(claim=claim, to="approved", actor=w.ipo)
    if document:
        from django.core.files.base import ContentFile

        from tests.factories import minimal_pdf_bytes

        pdf = minimal_pdf_bytes()
        return claim.pk, claim.documents.create(file=ContentFile(pdf, name="pay.pdf"), original_name="pay.pdf",
                                                size=len(pdf)).pk
    return claim.pk


def _deployment_role_pk(w):
    from roster.models import DeploymentRole

    return DeploymentRole.objects.create(name_en="Training officer", name_fr="Agent de formation").pk


def _today_iso():
    from tests.clock import TODAY

    return TODAY.isoformat()


def _partner_request_pk(w):
    from agencies.models import PartnerRequest

    return PartnerRequest.objects.create(name="Lakeview Police", kind="regional", province="ON", contact_name="S W",
                                         contact_email="sw@example.test", officers_interested=4).pk


OFFICERS_ONLY = {**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}


def _session_pk(w, *, past=False):
    from django.utils import timezone

    from planning.sessions.models import AssessmentSession

    start = timezone.localdate() + dt.timedelta(days=-20 if past else 20)
    return AssessmentSession.objects.create(kind="saat", starts_on=start, ends_on=start + dt.timedelta(days=3),
                                            place="Ottawa", capacity=5, created_by=w.ipo).pk


def _registration_of_x_pk(w):
    from planning.sessions.models import Registration

    return Registration.objects.create(session_id=_session_pk(w), officer=w.officer_x, registered_by=w.coord_a).pk


def _pool_entry_of_x_pk(w):
    from planning.pool.models import PoolEntry

    return PoolEntry.objects.create(officer=w.officer_x, regions=["africa"], languages=["fr"],
                                    available_from=dt.date(2027, 1, 1)).pk


CLAIM_OF_A = {"anonymous": 302, "ipo": 200, "coord_a": 200, "coord_b": 404, "officer_x": 404, "officer_y": 404}
COORDINATORS = {"anonymous": 302, "ipo": 403, "coord_a": 200, "coord_b": 200, "officer_x": 403, "officer_y": 403}


ROLE_ACCESS = {
    "home": row(ALL_SIGNED_IN),
    "healthz": row({p: 200 for p in PERSONAS}),
    # readiness (ops): the tests have no broker nor worker (tasks run in-process), so not ready, for everyone
    "readyz": row({p: 503 for p in PERSONAS}),
    # metrics (ops): the test client's address is loopback, allowed by default (tests/ops/test_metrics.py: refusals)
    "metrics": row({p: 200 for p in PERSONAS}),
    "favicon": row({p: 301 for p in PERSONAS}),
    "login": row({p: 200 if p == "anonymous" else 302 for p in PERSONAS}),
    "logout": row({p: 302 for p in PERSONAS}, method="post"),
    "password_change": row(ALL_SIGNED_IN),
    "password_change_done": row(ALL_SIGNED_IN),
    "password_reset": row({p: 200 for p in PERSONAS}),
    "password_reset_done": row({p: 200 for p in PERSONAS}),
    "password_reset_confirm": row({p: 200 for p in PERSONAS}, lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    "password_reset_complete": row({p: 200 for p in PERSONAS}),
    # officer X already has a login: staff and coordinator A are told so (redirect with a message)
    "accounts:officer-invite": row(
        {"anonymous": 302, "ipo": 302, "coord_a": 302, "coord_b": 404, "officer_x": 403, "officer_y": 404},
        lambda w: {"officer_pk": w.officer_x.pk},
        method="post",
    ),
    "accounts:reauth": row(ALL_SIGNED_IN),
    "accounts:session": row({p: 401 if p == "anonymous" else 200 for p in PERSONAS}),
    "accounts:mfa": row(ALL_SIGNED_IN),
    "accounts:mfa-setup": row(ALL_SIGNED_IN),
    "accounts:mfa-verify": row(ALL_SIGNED_IN),
    # nobody here has set up two-step verification: each is sent back to the page with a message
    "accounts:mfa-backup-codes": row({p: 302 for p in PERSONAS}, method="post"),
    "accounts:lockouts": row(IPO_ONLY),
    "accounts:lockout-unlock": row({**IPO_ONLY, "ipo": 302}, lambda w: {"pk": 999999}, method="post"),
    "accounts:audit": row(IPO_ONLY),
    "accounts:my-record-reads": row(ALL_SIGNED_IN),
    # API tokens (issue 11): the list, the form (just signed in: no password asked again), and revoking,
    # by the token's owner only (officer X's here)
    "accounts:api-tokens": row(ALL_SIGNED_IN),
    "accounts:api-token-create": row(ALL_SIGNED_IN),
    "accounts:api-token-revoke": row(
        {"anonymous": 302, "ipo": 404, "coord_a": 404, "coord_b": 404, "officer_x": 302, "officer_y": 404},
        lambda w: {"pk": _token_of(w.user_x).pk},
        method="post",
    ),
    "set_language": row({p: 302 for p in PERSONAS}, method="post", data={"language": "fr", "next": "/"}),
    "admin:*": row({"anonymous": 302, "ipo": 200, "coord_a": 302, "coord_b": 302, "officer_x": 302, "officer_y": 302}),
    "agencies:officer-list": row(STAFF_AND_COORD),
    "agencies:officer-detail": row(X_ONLY, lambda w: {"pk": w.officer_x.pk}),
    # managing officer X (agency A): coordinator B cannot see it (404), officers may not (403 / 404)
    "agencies:officer-create": row(STAFF_AND_COORD),
    "agencies:officer-edit": row({**X_ONLY, "officer_x": 403}, lambda w: {"pk": w.officer_x.pk}),
    "agencies:clearance-create": row({**X_ONLY, "officer_x": 403}, lambda w: {"pk": w.officer_x.pk}),
    "agencies:clearance-edit": row(
        {**X_ONLY, "officer_x": 403},
        lambda w: {"pk": w.officer_x.pk, "clearance_pk": w.officer_x.clearances.create(
            kind="medical", valid_until="2031-01-01").pk},
    ),
    "agencies:clearance-delete": row(
        {"anonymous": 302, "ipo": 302, "coord_a": 302, "coord_b": 404, "officer_x": 403, "officer_y": 404},
        lambda w: {"pk": w.officer_x.pk, "clearance_pk": w.officer_x.clearances.create(
            kind="medical", valid_until="2031-01-01").pk},
        method="post",
    ),
    "agencies:my-profile": row({**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}),
    "agencies:my-profile-edit": row({**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}),
    "missions:bulletin-detail": row(ALL_SIGNED_IN, lambda w: {"pk": w.bulletin.pk}),
    # The world's bulletin is published; staff actions refused by the service (not a draft)
    # redirect to the bulletin with the reason as a message.
    "missions:bulletin-list": row(ALL_SIGNED_IN),
    "missions:bulletin-create": row(IPO_ONLY),
    "missions:bulletin-feed": row({p: 200 for p in PERSONAS}, lambda w: {"lang": "fr"}),
    "missions:bulletin-edit": row({**IPO_ONLY, "ipo": 302}, lambda w: {"pk": w.bulletin.pk}),
    "missions:bulletin-preview": row(IPO_ONLY, lambda w: {"pk": w.bulletin.pk}),
    "missions:bulletin-publish": row({**IPO_ONLY, "ipo": 302}, lambda w: {"pk": w.bulletin.pk}, method="post"),
    "missions:bulletin-remind": row(IPO_ONLY, lambda w: {"pk": w.bulletin.pk}),
    "missions:bulletin-close": row({**IPO_ONLY, "ipo": 302}, lambda w: {"pk": w.bulletin.pk}, method="post"),
    "missions:bulletin-cancel": row(
        {**IPO_ONLY, "ipo": 302}, lambda w: {"pk": w.bulletin.pk}, method="post", data={"reason": "Mandate ended"}
    ),
    "missions:bulletin-duplicate": row({**IPO_ONLY, "ipo": 302}, lambda w: {"pk": w.bulletin.pk}, method="post"),
    # agency A was notified of the bulletin (created by the kwargs), agency B was not
    "missions:bulletin-acknowledge": row(
        {"anonymous": 302, "ipo": 403, "coord_a": 302, "coord_b": 403, "officer_x": 403, "officer_y": 403},
        lambda w: {"pk": w.bulletin.notices.create(agency=w.agency_a).bulletin_id},
        method="post",
    ),
    # circulating needs the coordinator's own agency's notice; others are refused
    "missions:bulletin-circulate": row(
        {"anonymous": 302, "ipo": 403, "coord_a": 302, "coord_b": 403, "officer_x": 403, "officer_y": 403},
        lambda w: {"pk": w.bulletin.notices.create(agency=w.agency_a).bulletin_id},
        method="post",
    ),
    "missions:notice-resend": row(
        {**IPO_ONLY, "ipo": 302},
        lambda w: {"pk": w.bulletin.pk, "notice_pk": w.bulletin.notices.create(agency=w.agency_a).pk},
        method="post",
    ),
    "missions:mission-list": row(ALL_SIGNED_IN),
    "missions:mission-detail": row(ALL_SIGNED_IN, lambda w: {"pk": w.mission.pk}),
    "missions:mission-create": row(IPO_ONLY),
    "missions:mission-edit": row(IPO_ONLY, lambda w: {"pk": w.mission.pk}),
    "notifications:outbox": row(IPO_ONLY),
    "notifications:my-messages": row(ALL_SIGNED_IN),
    # a message to officer X: only X sees it (IPO staff read it in the outbox, not here)
    "notifications:my-message-detail": row(
        {"anonymous": 302, "ipo": 404, "coord_a": 404, "coord_b": 404, "officer_x": 200, "officer_y": 404},
        lambda w: {"pk": _message_to(w.user_x).pk},
    ),
    # IPO staff read any message in the outbox; agencies and officers may not, even their own
    "notifications:outbox-detail": row(IPO_ONLY, lambda w: {"pk": _message_to(w.user_x).pk}),
    "notifications:outbox-resend": row(
        {**IPO_ONLY, "ipo": 302},
        lambda w: {"pk": OutgoingMail.objects.create(to="x@example.test", subject="s", body_text="b",
                                                     message_id="<x@test>", status="failed").pk},
        method="post",
    ),
    "roster:application-detail": row(X_ONLY, lambda w: {"pk": w.app_x.pk}),
    # applications (issue 4): app_x is officer X's submitted application (agency A)
    "roster:application-create": row(
        {**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}, lambda w: {"bulletin_pk": _open_bulletin_pk(w)}
    ),
    "roster:application-edit": row({**X_ONLY, "ipo": 403, "coord_a": 403}, lambda w: {"pk": w.app_x.pk}),
    "roster:application-withdraw": row({**X_ONLY, "ipo": 403}, lambda w: {"pk": w.app_x.pk}),
    "roster:application-endorse": row({**X_ONLY, "ipo": 403, "officer_x": 403}, lambda w: {"pk": w.app_x.pk}),
    "roster:application-decline": row({**X_ONLY, "ipo": 403, "officer_x": 403}, lambda w: {"pk": w.app_x.pk}),
    # IPO staff shortlist an endorsed application of X; the others may not (403) or cannot see it (404)
    "roster:application-transition": row(
        {**X_ONLY, "ipo": 302, "coord_a": 403, "officer_x": 403},
        lambda w: {"pk": _endorsed_application_of_x_pk(w)},
        method="post",
        data={"to": "shortlisted", "note": "Strong file"},
    ),
    "roster:application-document": row(X_ONLY, lambda w: {"pk": w.app_x.pk, "doc_pk": _document_of_app_x_pk(w)}),
    "roster:my-applications": row({**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}),
    "roster:agency-applications": row({**STAFF_AND_COORD, "ipo": 403}),
    "roster:application-nominate": row({**STAFF_AND_COORD, "ipo": 403}, lambda w: {"bulletin_pk": w.bulletin.pk}),
    "roster:bulletin-pipeline": row(IPO_ONLY, lambda w: {"bulletin_pk": w.bulletin.pk}),
    # nothing ticked: IPO staff get the pipeline back with the error next to the field
    "roster:bulletin-pipeline-action": row(
        IPO_ONLY, lambda w: {"bulletin_pk": w.bulletin.pk}, method="post", data={"action": "shortlist"}
    ),
    "roster:deployment-detail": row(X_ONLY, lambda w: {"pk": w.dep_x.pk}),
    # deployments (issue 5 parts 1-2): IPO staff act on dep_x (X's, in mission); coordinator A and officer X
    # see it but may not act (403); B and Y cannot see it (404). app_x is only submitted: deploying it
    # is refused with a message (302 to the application).
    "roster:deployment-create": row(
        {**X_ONLY, "ipo": 302, "coord_a": 403, "officer_x": 403}, lambda w: {"application_pk": w.app_x.pk}
    ),
    "roster:deployment-start": row(  # dep_x is already in mission: refused with a message
        {**X_ONLY, "ipo": 302, "coord_a": 403, "officer_x": 403}, lambda w: {"pk": w.dep_x.pk}, method="post"
    ),
    "roster:deployment-extend": row({**X_ONLY, "coord_a": 403, "officer_x": 403}, lambda w: {"pk": w.dep_x.pk}),
    "roster:deployment-repatriate": row({**X_ONLY, "coord_a": 403, "officer_x": 403}, lambda w: {"pk": w.dep_x.pk}),
    # issue 9: IPO staff see the confirmation page of X's planned tour before cancelling it
    "roster:deployment-cancel": row(
        {**X_ONLY, "coord_a": 403, "officer_x": 403}, lambda w: {"pk": _planned_deployment_of_x_pk(w)}
    ),
    "roster:deployment-complete": row(
        {**X_ONLY, "ipo": 302, "coord_a": 403, "officer_x": 403}, lambda w: {"pk": w.dep_x.pk}, method="post",
        data={"complete-early": "on"},
    ),
    "roster:roster": row(STAFF_AND_COORD),
    # issue 14: the catalogue of roles in missions is IPO staff's alone (coordinators and officers: 403)
    "roster:deployment-role-list": row(IPO_ONLY),
    "roster:deployment-role-create": row(IPO_ONLY),
    "roster:deployment-role-edit": row(IPO_ONLY, lambda w: {"pk": _deployment_role_pk(w)}),
    "roster:deployment-role-active": row({**IPO_ONLY, "ipo": 302}, lambda w: {"pk": _deployment_role_pk(w)},
                                         method="post", data={"active": "0"}),
    # issue 5 parts 3-5: dashboard, timelines, histories, medals, exports
    "roster:dashboard": row(STAFF_AND_COORD),
    "roster:mission-timeline": row(ALL_SIGNED_IN, lambda w: {"mission_pk": w.mission.pk}),
    "roster:officer-history": row(X_ONLY, lambda w: {"officer_pk": w.officer_x.pk}),
    # officer X has served 30 days (dep_x): eligible for the CPSM
    "roster:medal-award": row(
        {"anonymous": 302, "ipo": 302, "coord_a": 403, "coord_b": 404, "officer_x": 403, "officer_y": 404},
        lambda w: {"officer_pk": w.officer_x.pk},
        method="post",
        data={"medal": "cpsm", "awarded_on": "2020-01-01"},
    ),
    "roster:agency-history": row(
        {"anonymous": 302, "ipo": 200, "coord_a": 200, "coord_b": 404, "officer_x": 403, "officer_y": 403},
        lambda w: {"agency_pk": w.agency_a.pk},
    ),
    # privacy (issue 6): the notice is public; the archive is the officer's own or IPO staff's (coordinator A
    # sees officer X but may not download the whole record: 403; B and Y cannot see X: 404)
    "privacy:notice": row({p: 200 for p in PERSONAS}),
    "privacy:my-record": row({**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}),
    "privacy:officer-record": row(
        {"anonymous": 302, "ipo": 200, "coord_a": 403, "coord_b": 404, "officer_x": 200, "officer_y": 404},
        lambda w: {"pk": w.officer_x.pk},
    ),
    "privacy:retention": row(IPO_ONLY),
    "privacy:retention-anonymise": row(IPO_ONLY, lambda w: {"pk": _officer_due_for_retention_pk(w)}),
    # welfare (issue 12, items 1-2): X is in mission (dep_x). The board and the impact report for IPO staff and
    # coordinators (each sees their own agency's); check-ins for officers; follow-ups, intervals and return
    # plans for IPO staff; a return plan is IPO staff's and the officer's (coordinators never see it: 404).
    "welfare:board": row(STAFF_AND_COORD),
    "welfare:checkin": row({**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}),
    "welfare:deployment": row(X_ONLY, lambda w: {"pk": w.dep_x.pk}),
    "welfare:follow-up": row(
        {"anonymous": 302, "ipo": 200, "coord_a": 403, "coord_b": 404, "officer_x": 403, "officer_y": 404},
        lambda w: {"pk": _urgent_checkin_of_x_pk(w)},
    ),
    "welfare:missions": row(IPO_ONLY),
    "welfare:mission-edit": row(IPO_ONLY, lambda w: {"pk": w.mission.pk}),
    "welfare:returns": row(IPO_ONLY),
    "welfare:return-detail": row(
        {"anonymous": 302, "ipo": 200, "coord_a": 404, "coord_b": 404, "officer_x": 200, "officer_y": 404},
        lambda w: {"pk": _return_plan_of_x(w).pk},
    ),
    # nothing posted: IPO staff get the plan back with the errors next to the fields
    "welfare:step-record": row(
        {"anonymous": 302, "ipo": 200, "coord_a": 404, "coord_b": 404, "officer_x": 403, "officer_y": 404},
        lambda w: {"pk": _return_plan_of_x(w).steps.get().pk},
        method="post",
    ),
    "welfare:my-returns": row({**IPO_ONLY, "ipo": 403, "officer_x": 200, "officer_y": 200}),
    "welfare:questionnaire": row(
        {"anonymous": 302, "ipo": 403, "coord_a": 403, "coord_b": 404, "officer_x": 200, "officer_y": 404},
        lambda w: {"deployment_pk": _ended_deployment_of_x(w).pk},
    ),
    "welfare:impact": row(STAFF_AND_COORD),
    # issue 12: medal ceremonies (IPO staff, and coordinators for their agency)
    "roster:medal-ceremony": row(STAFF_AND_COORD),
    "roster:medal-ceremony-export": row(STAFF_AND_COORD, lambda w: {"fmt": "csv"}),
    # issue 12: cost recovery. Claims are agency A's (of officer X's tour dep_x): B and the officers cannot see
    # them (404); coordinator A may not decide or pay (403), IPO staff may not file or withdraw (403)
    "ledger:claims": row(STAFF_AND_COORD),
    "ledger:summary": row(STAFF_AND_COORD),
    "ledger:export": row(STAFF_AND_COORD, lambda w: {"fmt": "csv"}),
    "ledger:claimable": row(COORDINATORS),
    "ledger:claim-create": row({**CLAIM_OF_A, "ipo": 403, "officer_x": 403}, lambda w: {"deployment_pk": w.dep_x.pk}),
    "ledger:claim-detail": row(CLAIM_OF_A, lambda w: {"pk": _claim_of_x_pk(w)}),
    "ledger:claim-document": row(CLAIM_OF_A, lambda w: dict(zip(("pk", "doc_pk"), _claim_of_x_pk(w, document=True),
                                                                 strict=True))),
    "ledger:claim-decide": row({**CLAIM_OF_A, "ipo": 302, "coord_a": 403}, lambda w: {"pk": _claim_of_x_pk(w)},
                               method="post", data={"decide-decision": "approved"}),
    "ledger:claim-pay": row({**CLAIM_OF_A, "ipo": 302, "coord_a": 403},
                            lambda w: {"pk": _claim_of_x_pk(w, approved=True)}, method="post",
                            data={"pay-paid_on": _today_iso()}),
    "ledger:claim-withdraw": row({**CLAIM_OF_A, "ipo": 403, "coord_a": 302}, lambda w: {"pk": _claim_of_x_pk(w)},
                                 method="post"),
    # no file chosen: coordinator A is asked for one (400)
    "ledger:claim-documents-add": row({**CLAIM_OF_A, "ipo": 403, "coord_a": 400}, lambda w: {"pk": _claim_of_x_pk(w)},
                                      method="post"),
    # issue 12: requests to join the program: a public page; IPO staff review (an empty decision: 400)
    "partners:join": row({p: 200 for p in PERSONAS}),
    "partners:join-thanks": row({p: 200 for p in PERSONAS}),
    "partners:request-list": row(IPO_ONLY),
    "partners:request-detail": row(IPO_ONLY, lambda w: {"pk": _partner_request_pk(w)}),
    "partners:request-approve": row({**IPO_ONLY, "ipo": 400}, lambda w: {"pk": _partner_request_pk(w)},
                                    method="post"),
    "partners:request-decline": row({**IPO_ONLY, "ipo": 400}, lambda w: {"pk": _partner_request_pk(w)},
                                    method="post"),
    "roster:export-roster": row(STAFF_AND_COORD, lambda w: {"fmt": "csv"}),
    "roster:export-applicants": row(STAFF_AND_COORD, lambda w: {"bulletin_pk": w.bulletin.pk, "fmt": "xlsx"}),
    "roster:export-deployments": row(
        STAFF_AND_COORD, lambda w: {"fmt": "csv"}, data={"start": "2020-01-01", "end": "2030-12-31"}
    ),
    # assessment sessions (issue 13, item 5): the schedule for every role; scheduling, editing, cancelling and
    # results for IPO staff; registering for IPO staff and coordinators (an officer one may not see: 404);
    # withdrawing for IPO staff, the officer's coordinator and the officer; an officer's own sessions.
    "planning:session-list": row(ALL_SIGNED_IN),
    "planning:session-create": row(IPO_ONLY),
    "planning:session-mine": row(OFFICERS_ONLY),
    "planning:session-detail": row(ALL_SIGNED_IN, lambda w: {"pk": _session_pk(w)}),
    "planning:session-edit": row(IPO_ONLY, lambda w: {"pk": _session_pk(w)}),
    "planning:session-cancel": row(IPO_ONLY, lambda w: {"pk": _session_pk(w)}),
    "planning:session-results": row(IPO_ONLY, lambda w: {"pk": _session_pk(w, past=True)}),
    "planning:session-register": row(
        {"anonymous": 302, "ipo": 400, "coord_a": 400, "coord_b": 400, "officer_x": 403, "officer_y": 403},
        lambda w: {"pk": _session_pk(w)}, method="post"),
    "planning:session-withdraw": row(
        {"anonymous": 302, "ipo": 302, "coord_a": 302, "coord_b": 404, "officer_x": 302, "officer_y": 404},
        lambda w: {"pk": _registration_of_x_pk(w)}, method="post"),
    # the talent pool (item 6): an officer's own entry; the list for IPO staff and coordinators; the agency's
    # answer for the officer's own coordinator (another agency's: 404)
    "planning:pool-list": row(STAFF_AND_COORD),
    "planning:pool-mine": row(OFFICERS_ONLY),
    "planning:pool-leave": row({**IPO_ONLY, "ipo": 403, "officer_x": 302, "officer_y": 302}, method="post"),
    "planning:pool-support": row(
        {"anonymous": 302, "ipo": 403, "coord_a": 200, "coord_b": 404, "officer_x": 403, "officer_y": 403},
        lambda w: {"pk": _pool_entry_of_x_pk(w)}),
    # who could go (items 1, 2 and 4): IPO staff's counts; a coordinator's own officers, nominated in one click
    "planning:candidates-overview": row(IPO_ONLY),
    "planning:candidates-bulletin": row(IPO_ONLY, lambda w: {"pk": w.bulletin.pk}),
    "planning:candidates-agency": row(COORDINATORS, lambda w: {"pk": w.bulletin.pk}),
    "planning:candidates-nominate": row(
        {"anonymous": 302, "ipo": 403, "coord_a": 302, "coord_b": 404, "officer_x": 403, "officer_y": 403},
        lambda w: {"pk": w.bulletin.pk}, method="post", data=lambda w: {"officer": w.officer_x.pk}),
    # the strength forecast (item 3): the program's figures for IPO staff and coordinators, a mission's for IPO
    "planning:forecast": row(STAFF_AND_COORD),
    "planning:forecast-mission": row(IPO_ONLY, lambda w: {"pk": w.mission.pk}),
    # issue 14: the GC footer's pages, public like the privacy notice (the report form's GET; its POST is
    # tested in tests/site_pages/test_report_problem.py)
    "site_pages:terms": row({p: 200 for p in PERSONAS}),
    "site_pages:contact": row({p: 200 for p in PERSONAS}),
    "site_pages:report-problem": row({p: 200 for p in PERSONAS}),
    "site_pages:report-problem-thanks": row({p: 200 for p in PERSONAS}),
}


def iter_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}".strip(":") if ns else namespace
            if full == "admin" or full.startswith("admin:"):
                yield "admin:*"
                continue
            if full == "api":  # the REST API has its own table: tests/test_api_role_access.py
                continue
            yield from iter_patterns(p, full)
        elif isinstance(p, URLPattern):
            if p.name is None:
                continue
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_pattern_is_in_the_table():
    names = set(iter_patterns())
    missing = sorted(names - set(ROLE_ACCESS))
    assert not missing, f"URL patterns missing from ROLE_ACCESS: {missing}"
    stale = sorted(set(ROLE_ACCESS) - names)
    assert not stale, f"ROLE_ACCESS rows with no URL pattern: {stale}"


def resolve_url(name, kwargs):
    from django.urls import reverse

    return reverse("admin:index" if name == "admin:*" else name, kwargs=kwargs)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(ROLE_ACCESS))
def test_role_access(world, name, persona):
    spec = ROLE_ACCESS[name]
    user = {
        "anonymous": None,
        "ipo": world.ipo,
        "coord_a": world.coord_a,
        "coord_b": world.coord_b,
        "officer_x": world.user_x,
        "officer_y": world.user_y,
    }[persona]
    client = client_for(user)
    url = resolve_url(name, spec["kwargs"](world))
    data = spec["data"](world) if callable(spec["data"]) else spec["data"]  # a callable: data of the world's objects
    response = getattr(client, spec["method"])(url, data or {})
    expected = spec["expect"][persona]
    assert response.status_code == expected, f"{persona} {spec['method'].upper()} {url}"
    if expected == 302 and persona == "anonymous" and name not in ("logout", "set_language", "favicon"):
        assert "login/" in response["Location"]
