"""Every kind of email the roster sends reaches a French-preferring recipient in French and an
English-preferring one in English (issue 14), whatever the language of the person whose action sent it.

Each kind is produced by the service that sends it in real use (no template rendered by hand), with every
recipient preferring one language while the actors work in the other. Then, for every stored message:
its language is the recipient's; its subject is exactly the translation catalogue's text of its subject
template in that language (a French subject that is still the English one fails); its HTML says
lang="fr" or "en"; and no sentence of its templates appears in the other language.

The kinds are every template of templates/emails (the notifications.kinds registry names the same):
a new kind without a producer below fails `test_every_kind_of_email_has_a_producer_here`.
"""

import datetime as dt
import html as htmllib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, trim_whitespace

from notifications.kinds import KIND_LABELS, SECURITY, SECURITY_PREFIX
from notifications.models import OutgoingMail
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
OTHER = {"en": "fr", "fr": "en"}


def email_templates() -> set[str]:
    """Every message template: emails/<name>.subject.txt (partials start with "_"; base.html is the layout)."""
    return {p.name.removesuffix(".subject.txt") for p in EMAILS.glob("*.subject.txt")}


def template_of(mail: OutgoingMail) -> str:
    return "security_notice" if mail.kind.startswith(SECURITY_PREFIX) else mail.kind


# --- what the templates say, in each language ------------------------------------------------------------

TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1(?:\s+as\s+\w+)?\s*%}""", re.S)
BLOCK = re.compile(r"{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%}(.*?){%\s*endblocktranslate\s*%}", re.S)
INCLUDE = re.compile(r"""{%\s*include\s+["'](emails/[^"']+)["']""")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _source(name: str) -> str:
    text = (EMAILS.parent / name).read_text()
    return text + "".join(_source(inc) for inc in INCLUDE.findall(text))


def messages_of(name: str) -> list[tuple[str, str | None]]:
    """The (msgid, msgid_plural) of every translated text of a template and what it includes, as the
    catalogue holds them ({{ name }} -> %(name)s)."""
    text = _source(name)
    found = [(m.group(2), None) for m in TRANSLATE.finditer(text)]
    for options, body in BLOCK.findall(text):
        singular, _sep, plural = body.partition("{% plural %}")
        parts = []
        for part in (singular, plural):
            part = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", part.replace("%", "%%"))
            parts.append(trim_whitespace(part) if "trimmed" in options else part)
        found.append((parts[0], parts[1] if plural else None))
    return found


def translations(msg: tuple[str, str | None], lang: str) -> list[str]:
    singular, plural = msg
    with translation.override(lang):
        if plural is None:
            return [gettext(singular)]
        return [ngettext(singular, plural, 1), ngettext(singular, plural, 2)]


def pattern(text: str) -> re.Pattern:
    """A translated text as a pattern of the rendered one: each placeholder stands for any value."""
    literal = [re.escape(" ".join(part.replace("%%", "%").split())) for part in PLACEHOLDER.split(text)[::2]]
    return re.compile(r"\s*" + r".+?".join(literal) + r"\s*", re.S)


def fragments(text: str, *, shortest=14) -> list[str]:
    """The literal runs of a translated text long enough to tell one language from the other."""
    runs = (" ".join(part.replace("%%", "%").split()) for part in PLACEHOLDER.split(text)[::2])
    return [r for r in runs if len(r) >= shortest]


def check_message(mail: OutgoingMail, lang: str) -> list[str]:
    """What is wrong with `mail` for a recipient who reads `lang` (nothing: [])."""
    name, other = template_of(mail), OTHER[lang]
    problems = []
    if mail.language != lang:
        problems.append(f"stored as {mail.language!r}")
    # The subject is exactly one of its template's texts, as the catalogue translates it into `lang`.
    subject = " ".join(mail.subject.split())
    alternatives = [(msg, t) for msg in messages_of(f"emails/{name}.subject.txt") for t in translations(msg, lang)]
    matched = [(msg, t) for msg, t in alternatives if pattern(t).fullmatch(subject)]
    if not matched:
        problems.append(f"subject {subject!r} is none of {[t for _msg, t in alternatives]}")
    elif lang != "en" and all(t in translations(msg, "en") for msg, t in matched):
        problems.append(f"subject {subject!r} is not translated into {lang}")
    # The HTML version says its language.
    if f'<html lang="{lang}">' not in mail.body_html:
        problems.append("the HTML does not say its language")
    # No sentence of the templates in the other language, in either version.
    bodies = {"text": " ".join(mail.body_text.split()), "html": " ".join(htmllib.unescape(mail.body_html).split())}
    for version, template in (("text", f"emails/{name}.txt"), ("html", f"emails/{name}.html")):
        ours = set()
        for msg in messages_of(template):
            ours.update(frag for t in translations(msg, lang) for frag in fragments(t))
        for msg in messages_of(template):
            for t in translations(msg, other):
                for frag in fragments(t):
                    if frag not in ours and frag in bodies[version]:
                        problems.append(f"{version} has {other} text {frag!r}")
    if not any(frag in bodies["text"] for msg in messages_of(f"emails/{name}.txt")
               for t in translations(msg, lang) for frag in fragments(t, shortest=8)):
        problems.append(f"the text has no sentence of its template in {lang}")
    return problems


# --- the people, all reading one language ---------------------------------------------------------------

@pytest.fixture
def people(world, settings):
    def speaking(lang):
        for user in (world.ipo, world.coord_a, world.coord_b, world.user_x, world.user_y):
            user.preferred_language = lang
            user.first_name, user.last_name = "Dominique", "Tremblay"  # a name in neither language's words
            user.save()
        for agency in (world.agency_a, world.agency_b):
            agency.language = lang
            agency.mailbox = f"{agency.slug}@example.test"
            agency.save()
        for officer in (world.officer_x, world.officer_y):
            officer.preferred_language = lang
            officer.first_name, officer.last_name = "Dominique", "Tremblay"
            officer.save()
        settings.ROSTER = {**settings.ROSTER, "IPO_DUTY_EMAIL": "duty@ipo.example", "IPO_DUTY_LANGUAGE": lang,
                           "WELFARE_ALERT_DAYS": 7, "WELFARE_CHECKIN_DAYS": 14, "FORECAST_MONTHS": 12,
                           "FORECAST_ALERT_SHARE_PERCENT": 80, "FORECAST_ALERT_HORIZON_MONTHS": 6,
                           "FORECAST_LEAD_TIME_DAYS": 100, "FORECAST_LEAD_TIME_MIN_SAMPLES": 3}
        return world
    return speaking


# --- the producers: each kind, sent by its service ------------------------------------------------------------

def _published(w):
    from missions import services

    bulletin = f.BulletinFactory(mission=w.mission, status="draft")
    return services.bulletin_publish(bulletin=bulletin, actor=w.ipo)


def bulletins(w):
    """bulletin_published, bulletin_reminder, bulletin_circulated, bulletin_closed_early, bulletin_closed,
    bulletin_cancelled."""
    from missions import services

    bulletin = _published(w)
    services.bulletin_remind(bulletin=bulletin, actor=w.ipo)
    services.notice_circulate(bulletin=bulletin, actor=w.coord_a)
    services.bulletin_close(bulletin=bulletin, actor=w.ipo)
    on_time = _published(w)
    services.bulletin_close(bulletin=on_time, actor=None, now=on_time.closes_at + dt.timedelta(minutes=1))
    services.bulletin_cancel(bulletin=_published(w), actor=w.ipo, reason="The mandate ended.")


def applications(w):
    """application_status, position_freed."""
    from roster import services

    services.application_transition(application=w.app_x, to="endorsed", actor=w.coord_a, release_confirmed=True)
    selected = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=w.mission), officer=w.officer_y,
                                    status="selected")
    services.application_transition(application=selected, to="withdrawn", actor=w.user_y, note="Family.")


def deployments(w):
    """deployment_update, welfare_questionnaire_invite (the tour's end starts the return plan)."""
    from roster import services

    services.deployment_extend(deployment=w.dep_x, actor=w.ipo, new_end=w.dep_x.planned_end_date +
                               dt.timedelta(days=30), reason="Mandate renewed.")
    services.deployment_complete(deployment=w.dep_y, actor=w.ipo, on=timezone.localdate() - dt.timedelta(days=1))


def accounts(w):
    """invitation, password_reset, security notices."""
    from accounts import services

    newcomer = f.OfficerFactory(agency=w.agency_a, user=None, email="newcomer@example.test",
                                preferred_language=w.user_x.preferred_language)
    services.officer_invite(officer=newcomer, actor=w.coord_a)
    services.password_reset_send(email=w.user_x.email)
    admin = f.IpoStaffFactory(email="admin@example.test", is_superuser=True, is_staff=True,
                              preferred_language=w.ipo.preferred_language)
    services.password_set_by_admin(actor=admin, user=w.user_y)


def partners(w):
    """partner_request_received, partner_welcome, partner_request_declined."""
    from accounts.partners import services

    lang = w.ipo.preferred_language
    asked = [services.partner_request_submit(name=f"Lakeview Police {i}", kind="regional", province="ON",
                                             contact_name="Dominique Tremblay",
                                             contact_email=f"contact{i}@lakeview.example", officers_interested=4,
                                             language=lang) for i in (1, 2)]
    services.partner_request_approve(
        partner_request=asked[0], actor=w.ipo, slug="lakeview-police", name_en="Lakeview Police",
        name_fr="Police de Lakeview", kind="regional", province="ON", language=lang,
        partner_since=timezone.localdate(), coordinator_email="coordinator@lakeview.example",
        coordinator_first_name="Dominique", coordinator_last_name="Tremblay")
    services.partner_request_decline(partner_request=asked[1], actor=w.ipo, reason="Not this year.")


def claims(w):
    """claim_submitted, claim_decided, claim_paid."""
    from ledger import periods, services

    period = periods.deployment_periods(w.dep_x, today=timezone.localdate())[0]
    claim = services.claim_submit(deployment=w.dep_x, actor=w.coord_a, period_start=period.start,
                                  salary=Decimal("1000.00"), benefits=Decimal("0"), overtime=Decimal("0"),
                                  allowances=Decimal("0"))
    claim = services.claim_transition(claim=claim, to="approved", actor=w.ipo)
    services.claim_transition(claim=claim, to="paid", actor=w.ipo, paid_on=timezone.localdate())


def planning(w):
    """pool_joined, pool_support, session_registration, session_promoted, session_result, session_cancelled,
    forecast_alerts."""
    from planning.forecast import services as forecast
    from planning.pool import services as pool
    from planning.sessions import services as sessions
    from planning.sessions.models import AssessmentSession

    entry = pool.pool_entry_save(officer=w.officer_x, actor=w.user_x, regions=["africa"], languages=["fr"],
                                 specialities=["gender"], available_from=timezone.localdate() + dt.timedelta(days=30))
    pool.pool_support_set(entry=entry, actor=w.coord_a, support="supported")

    start = timezone.localdate() + dt.timedelta(days=30)
    session = sessions.session_schedule(actor=w.ipo, kind="saat", starts_on=start, ends_on=start + dt.timedelta(days=3),
                                        place="CPC Ottawa", language="en", capacity=1)
    first = sessions.registration_create(session=session, officer=w.officer_x, actor=w.coord_a)
    sessions.registration_create(session=session, officer=w.officer_y, actor=w.coord_b)  # waiting list
    sessions.registration_withdraw(registration=first, actor=w.coord_a)  # Y moves up
    AssessmentSession.objects.filter(pk=session.pk).update(starts_on=timezone.localdate() - dt.timedelta(days=5),
                                                          ends_on=timezone.localdate() - dt.timedelta(days=2))
    session.refresh_from_db()
    (seat,) = session.registrations.filter(state="registered")
    sessions.results_record(session=session, actor=w.ipo,
                            results={seat.pk: dict.fromkeys(session.required_components(), "pass")})
    later = sessions.session_schedule(actor=w.ipo, kind="saat", starts_on=start, ends_on=start + dt.timedelta(days=3),
                                      place="CPC Ottawa", language="fr", capacity=3)
    sessions.registration_create(session=later, officer=w.officer_x, actor=w.coord_a)
    sessions.session_cancel(session=later, actor=w.ipo, reason="No instructor.")

    today = timezone.localdate()  # a mission of 5 whose two tours end in 60 days: below 80% with no bulletin
    short = f.MissionFactory(code="SHORT", language="en", authorized_strength=5)
    for days in (400, 400, 400, 60, 60):
        f.DeploymentFactory(mission=short, officer=f.OfficerFactory(), start_date=today - dt.timedelta(days=100),
                            planned_end_date=today + dt.timedelta(days=days))
    cache.clear()
    forecast.forecast_alerts_send(today=today)


def welfare(w):
    """welfare_urgent, welfare_checkin_reminder, welfare_overdue_alert."""
    from welfare import services
    from welfare.models import CheckIn

    services.checkin_create(user=w.user_y, status="urgent", note="Need help.")
    CheckIn.objects.create(deployment=w.dep_x, officer=w.officer_x, status="well",
                           created_at=timezone.now() - dt.timedelta(days=20))
    today = timezone.localdate()
    services.checkin_reminders_send(today=today)
    services.checkin_reminders_send(today=today + dt.timedelta(days=1))


def site(w):
    """problem_report."""
    from site_pages import services

    services.problem_report_submit(description="The table is cut off.", page="/roster/", user=w.user_x,
                                   language=OTHER[w.ipo.preferred_language])


# In order: the welfare reminders before the tours end, the claims on X's tour before it changes.
PRODUCERS = [welfare, claims, bulletins, applications, accounts, partners, planning, site, deployments]
PRODUCED = {
    "bulletin_published", "bulletin_reminder", "bulletin_circulated", "bulletin_closed_early", "bulletin_closed",
    "bulletin_cancelled", "application_status", "position_freed", "deployment_update",
    "welfare_questionnaire_invite", "invitation", "password_reset", "security_notice",
    "partner_request_received", "partner_welcome", "partner_request_declined", "claim_submitted", "claim_decided",
    "claim_paid", "pool_joined", "pool_support", "session_registration", "session_promoted", "session_result",
    "session_cancelled", "forecast_alerts", "welfare_urgent", "welfare_checkin_reminder", "welfare_overdue_alert",
    "problem_report",
}


def test_every_kind_of_email_has_a_producer_here():
    assert email_templates() == PRODUCED
    registry = {"security_notice" if kind == SECURITY else kind for kind in KIND_LABELS}
    assert registry == PRODUCED


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_kind_of_email_reaches_the_recipient_in_their_language(people, lang, django_capture_on_commit_callbacks):
    w = people(lang)
    for produce in PRODUCERS:
        with translation.override(OTHER[lang]), django_capture_on_commit_callbacks(execute=True):
            produce(w)  # the people acting read the other language
    mails = list(OutgoingMail.objects.order_by("id"))
    assert {template_of(m) for m in mails} == PRODUCED
    problems = {f"{template_of(m)} to {m.to}": p for m in mails if (p := check_message(m, lang))}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_check_tells_a_french_email_from_an_english_one(people):
    """The check itself: an English message sent to a French reader fails it."""
    from notifications.services import Recipient, mail_queue

    people("fr")
    (english,) = mail_queue(recipients=[Recipient(email="someone@example.test", language="en")],
                            template="password_reset", context={"user": None}, secret_link="set_password")
    problems = check_message(english, "fr")
    assert any("stored as 'en'" in p for p in problems)
    assert any(p.startswith("subject") for p in problems)
    assert any("the HTML does not say its language" in p for p in problems)
    assert check_message(english, "en") == []
