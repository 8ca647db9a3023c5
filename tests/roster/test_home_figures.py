"""The figures of the home pages, each rule checked against rows counted by hand: what counts and
what does not, whose rows a coordinator sees, and that a count is never cut at the rows listed."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

import roster.dashboard
from roster.dashboard import coordinator_home, dashboard_summary, staff_worklist
from tests import factories as f
from tests.roster.test_home_queries import grow

pytestmark = pytest.mark.django_db



@pytest.fixture
def program(world):
    """Beside `world` (one open bulletin, two submitted applications, two tours in mission): a bulletin
    of every status, applications in every state, tours in every state, inactive officers."""
    now, today = timezone.now(), timezone.localdate()
    day = dt.timedelta(days=1)
    past = f.BulletinFactory(mission=world.mission, closes_at=now - day)  # published, past its closing
    closed = f.BulletinFactory(mission=world.mission, status="closed", closes_at=now - day)
    draft = f.BulletinFactory(mission=world.mission, status="draft")
    cancelled = f.BulletinFactory(mission=world.mission, status="cancelled")

    def apply(bulletin, status, agency=None):
        return f.ApplicationFactory(bulletin=bulletin, status=status,
                                    officer=f.OfficerFactory(agency=agency or world.agency_a))

    # pending: submitted, endorsed, shortlisted, waitlisted; selected is not pending (it waits to deploy)
    for status in ("endorsed", "shortlisted", "waitlisted", "selected", "deployed", "withdrawn", "not_selected",
                   "screened_out", "agency_declined"):
        apply(closed, status)
    apply(closed, "endorsed", world.agency_b)
    # applications to decide on a draft or a cancelled bulletin are no bulletin "to decide"
    apply(draft, "endorsed")
    apply(cancelled, "shortlisted")
    # tours: planned and in mission are current; the others are not
    for status in ("planned", "completed", "repatriated", "cancelled"):
        later = status in ("planned", "cancelled")
        cancelled = {"cancellation_reason": "Medical hold", "cancelled_at": now} if status == "cancelled" else {}
        f.DeploymentFactory(mission=world.mission, status=status, officer=f.OfficerFactory(agency=world.agency_a),
                            start_date=today + (20 if later else -400) * day,
                            planned_end_date=today + (385 if later else -35) * day, **cancelled)
    f.OfficerFactory(agency=world.agency_a, is_active=False)
    return locals()


def test_the_staff_figures_count_what_each_rule_says(world, program):
    w = staff_worklist(world.ipo)
    assert w["open_bulletins"] == 1  # world's bulletin; not the past, closed, draft or cancelled ones
    # world's two submitted, the endorsed (agency A and B), shortlisted and waitlisted on `closed`, and
    # those on the draft and the cancelled bulletins
    assert w["pending_applications"] == 2 + 4 + 2
    assert w["current_deployments"] == 2 + 1  # world's two in mission, the planned one
    assert w["to_deploy_count"] == 1
    # one bulletin to decide however many applications wait on it: not the draft, not the cancelled one
    assert w["to_decide_count"] == 1 and [b.pk for b in w["to_decide"]] == [program["closed"].pk]
    assert w["to_decide"][0].applications_awaiting == 4 and w["to_decide"][0].positions_filled == 2


def test_the_staff_home_shows_them(clients, world, program):
    html = clients.ipo.get(reverse("home")).content.decode()
    assert 'data-testid="open-bulletins">1<' in html
    assert 'data-testid="pending-applications">8<' in html
    assert 'data-testid="current-deployments">3<' in html


def test_a_tour_whose_relief_was_cancelled_still_ends_with_no_relief(world):
    today = timezone.localdate()
    world.dep_x.planned_end_date = today + dt.timedelta(days=10)
    world.dep_x.save()
    f.DeploymentFactory(mission=world.mission, replaces=world.dep_x, status="cancelled",
                        cancellation_reason="Medical hold", cancelled_at=timezone.now(),
                        start_date=today + dt.timedelta(days=5), planned_end_date=today + dt.timedelta(days=300))
    w = staff_worklist(world.ipo)
    assert w["ending_soon_count"] == 1 and [d.pk for d in w["ending_soon"]] == [world.dep_x.pk]
    f.DeploymentFactory(mission=world.mission, replaces=world.dep_x, status="planned",
                        start_date=today + dt.timedelta(days=5), planned_end_date=today + dt.timedelta(days=300))
    w = staff_worklist(world.ipo)
    assert w["ending_soon_count"] == 0 and w["ending_soon"] == []


def test_the_coordinator_figures_are_their_agencys(world, program):
    c = coordinator_home(world.coord_a)
    assert c["officer_count"] == 1 + 9 + 2 + 4  # officer X and the other active officers of agency A
    # agency A's: X's submitted, the endorsed, shortlisted, waitlisted, and the two on draft and cancelled
    assert c["pending_applications"] == 1 + 3 + 2
    assert c["to_endorse_count"] == 1 and c["to_endorse"] == [world.app_x]
    assert c["current_deployments_count"] == 2  # X's tour in mission and the planned one: not Y's
    assert {row["status"]: row["n"] for row in c["status_counts"]} == {
        "submitted": 1, "endorsed": 2, "shortlisted": 2, "waitlisted": 1, "selected": 1, "deployed": 1,
        "withdrawn": 1, "not_selected": 1, "screened_out": 1, "agency_declined": 1,
    }
    assert [row["status"] for row in c["status_counts"]] == sorted(row["status"] for row in c["status_counts"])
    assert {row["label"] for row in c["status_counts"]} >= {"Submitted", "Endorsed by agency"}


def test_the_coordinator_counts_every_current_tour_not_just_those_listed(clients, world, monkeypatch):
    monkeypatch.setattr(roster.dashboard, "COORDINATOR_DEPLOYMENTS_LIMIT", 2)
    for _ in range(3):
        f.DeploymentFactory(mission=world.mission, officer=f.OfficerFactory(agency=world.agency_a))
    response = clients.coord_a.get(reverse("home"))
    assert len(response.context["current_deployments"]) == 2
    assert response.context["current_deployments_count"] == 4
    assert 'data-testid="current-deployments">4<' in response.content.decode()


def test_the_dashboard_counts_every_row_not_just_those_listed(world, monkeypatch):
    monkeypatch.setattr(roster.dashboard, "LIST_LIMIT", 1)
    today = timezone.localdate()
    for dep in (world.dep_x, world.dep_y):
        dep.planned_end_date = today + dt.timedelta(days=30)
        dep.save()
        f.ClearanceFactory(officer=dep.officer, valid_until=today + dt.timedelta(days=5))
    s = dashboard_summary(world.ipo)
    assert (s["ending_soon_count"], len(s["ending_soon"])) == (2, 1)
    assert (s["clearances_count"], len(s["clearances"])) == (2, 1)
    mine = dashboard_summary(world.coord_a)
    assert (mine["ending_soon_count"], mine["clearances_count"]) == (1, 1)


# --- the pages' markup, with rows in every list ------------------------------------------------


class Checker(HTMLParser):
    """Elements closed in order, ids unique, aria-labelledby and label[for] pointing at ids."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.refs, self.problems = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        self.refs += (attrs.get("aria-labelledby") or "").split() + ([attrs["for"]] if tag == "label" else [])
        if tag == "form" and "form" in self.stack:
            self.problems.append("nested form")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


@pytest.mark.parametrize("persona,url", [
    ("ipo", "home"), ("coord_a", "home"), ("officer_x", "home"),
    ("ipo", "roster:dashboard"), ("coord_a", "roster:dashboard"),
    ("ipo", "missions:mission-list"), ("officer_x", "missions:mission-list"),
])
def test_the_pages_are_well_formed_with_rows_in_every_list(clients, world, persona, url):
    grow(world, 3)
    f.ClearanceFactory(officer=world.officer_x, valid_until=timezone.localdate() + dt.timedelta(days=3))
    response = getattr(clients, persona).get(reverse(url))
    assert response.status_code == 200
    checker = Checker()
    checker.feed(response.content.decode())
    assert not checker.problems and not checker.stack, (checker.problems, checker.stack)
    assert len(checker.ids) == len(set(checker.ids)), "ids are unique"
    assert set(checker.refs) <= set(checker.ids), set(checker.refs) - set(checker.ids)


def test_the_dashboard_rows_escape_what_they_show(clients, world):
    today = timezone.localdate()
    officer = f.OfficerFactory(agency=world.agency_a, first_name="<b>Eve</b>", last_name="O'Neil & Co")
    f.DeploymentFactory(officer=officer, mission=world.mission, role="<i>adviser</i>",
                        start_date=today - dt.timedelta(days=300), planned_end_date=today + dt.timedelta(days=20))
    f.ClearanceFactory(officer=officer, valid_until=today - dt.timedelta(days=1))
    html = clients.ipo.get(reverse("roster:dashboard")).content.decode()
    assert "<b>Eve</b>" not in html and "<i>adviser</i>" not in html
    assert html.count("&lt;b&gt;Eve&lt;/b&gt; O&#x27;Neil &amp; Co") == 2  # a tour ending soon, a clearance
    assert "&lt;i&gt;adviser&lt;/i&gt;" in html and '<span class="badge text-bg-danger">Expired</span>' in html


def test_the_coordinator_home_lists_the_open_bulletins_to_acknowledge_soonest_first(clients, world):
    now = timezone.now()
    later = f.BulletinFactory(mission=world.mission, reference="JPB-T-LATER", closes_at=now + dt.timedelta(days=9))
    sooner = f.BulletinFactory(mission=world.mission, reference="JPB-T-SOONER", closes_at=now + dt.timedelta(days=2))
    done = f.BulletinFactory(mission=world.mission, reference="JPB-T-DONE")
    past = f.BulletinFactory(mission=world.mission, reference="JPB-T-PAST", closes_at=now - dt.timedelta(days=1))
    for bulletin in (later, sooner, past):
        f.BulletinNoticeFactory(bulletin=bulletin, agency=world.agency_a)
    f.BulletinNoticeFactory(bulletin=done, agency=world.agency_a, acknowledged_at=now)
    f.BulletinNoticeFactory(bulletin=done, agency=world.agency_b)  # another agency's
    response = clients.coord_a.get(reverse("home"))
    assert [n.bulletin_id for n in response.context["notices_to_acknowledge"]] == [sooner.pk, later.pk]
    html = response.content.decode()
    assert html.index("JPB-T-SOONER") < html.index("JPB-T-LATER") and "JPB-T-DONE" not in html
    assert f'action="{reverse("missions:bulletin-acknowledge", kwargs={"pk": sooner.pk})}"' in html
    assert f'name="next" value="{reverse("home")}"' in html
