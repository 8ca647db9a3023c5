"""The breadcrumb trail of every page below home, built from the page's route (never written per page).

GC pattern (the GC Design System's breadcrumbs): the path to the current page from each level above it,
each a link; the current page itself is not in the trail (its title is the page's h1). The trail starts
at Home, then the list page of the page's section, when the page is not that list page itself. A parent
is shown only to the roles that may open it (an officer's officer page leads to "My profile", not to the
list of officers).

PARENTS maps a route name (`namespace:name`) to its parents, each a Crumb: the label, the route (a list page,
with no arguments) and optionally the roles it is for. A route without
an entry has Home alone. Pages that draw their own, more detailed trail (with the names of the objects
above them) keep it: base.html shows this one only when the page has none.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

STAFF = ("ipo_staff",)
STAFF_COORD = ("ipo_staff", "coordinator")
COORD = ("coordinator",)
OFFICER = ("officer",)

# The routes with no trail: the home page and the sign-in page (the entry points).
NO_TRAIL = {"home", "login"}


@dataclass(frozen=True)
class Crumb:
    label: object
    url_name: str
    roles: tuple = ()  # empty: everyone who reaches the page


BULLETINS = Crumb(_("Bulletins"), "missions:bulletin-list")
MISSIONS = Crumb(_("Missions"), "missions:mission-list")
OFFICERS = Crumb(_("Officers"), "agencies:officer-list", STAFF_COORD)
MY_PROFILE = Crumb(_("My profile"), "agencies:my-profile", OFFICER)
ROSTER = Crumb(_("Roster"), "roster:roster", STAFF_COORD)
MY_APPLICATIONS = Crumb(_("My applications"), "roster:my-applications", OFFICER)
AGENCY_APPLICATIONS = Crumb(_("Applications"), "roster:agency-applications", COORD)
WELFARE = Crumb(_("Welfare"), "welfare:board", STAFF_COORD)
RETURN_PLANS = Crumb(_("Return plans"), "welfare:returns", STAFF)
MY_RETURNS = Crumb(_("My return from mission"), "welfare:my-returns", OFFICER)
COST_RECOVERY = Crumb(_("Cost recovery"), "ledger:claims", STAFF_COORD)
SESSIONS = Crumb(_("Assessment sessions"), "planning:session-list")
POOL = Crumb(_("Talent pool"), "planning:pool-list", STAFF_COORD)
FORECAST = Crumb(_("Strength forecast"), "planning:forecast", STAFF_COORD)
WHO_COULD_GO = Crumb(_("Who could go?"), "planning:candidates-overview", STAFF)
OUTBOX = Crumb(_("Outbox"), "notifications:outbox", STAFF)
MY_MESSAGES = Crumb(_("My messages"), "notifications:my-messages")
API_TOKENS = Crumb(_("API tokens"), "accounts:api-tokens")
TWO_STEP = Crumb(_("Two-step verification"), "accounts:mfa")
RETENTION = Crumb(_("Retention"), "privacy:retention", STAFF)
REQUESTS_TO_JOIN = Crumb(_("Requests to join"), "partners:request-list", STAFF)
JOIN = Crumb(_("Become a partner agency"), "partners:join")
CHANGE_PASSWORD = Crumb(_("Change password"), "password_change")
REPORT_PROBLEM = Crumb(_("Report a problem"), "site_pages:report-problem")


def _each(names, *crumbs):
    return {name: crumbs for name in names}


PARENTS: dict[str, tuple[Crumb, ...]] = {
    **_each(["missions:bulletin-create", "missions:bulletin-detail", "missions:bulletin-edit",
             "missions:bulletin-preview", "missions:bulletin-remind", "roster:bulletin-pipeline",
             "roster:bulletin-pipeline-action", "roster:application-create", "roster:application-nominate",
             "planning:candidates-agency"], BULLETINS),
    **_each(["missions:mission-create", "missions:mission-detail", "missions:mission-edit",
             "roster:mission-timeline"], MISSIONS),
    **_each(["agencies:officer-create", "agencies:officer-detail", "agencies:officer-edit",
             "agencies:clearance-create", "agencies:clearance-edit", "roster:officer-history"], OFFICERS, MY_PROFILE),
    "agencies:my-profile-edit": (MY_PROFILE,),
    **_each(["roster:application-detail", "roster:application-edit", "roster:application-withdraw",
             "roster:application-endorse", "roster:application-decline", "roster:application-transition"],
            MY_APPLICATIONS, AGENCY_APPLICATIONS, Crumb(_("Bulletins"), "missions:bulletin-list", STAFF)),
    **_each(["roster:deployment-create", "roster:deployment-detail", "roster:deployment-extend",
             "roster:deployment-repatriate", "roster:deployment-cancel"], ROSTER, MY_APPLICATIONS),
    **_each(["welfare:deployment", "welfare:follow-up", "welfare:missions"], WELFARE),
    "welfare:mission-edit": (WELFARE, Crumb(_("Check-in intervals"), "welfare:missions", STAFF)),
    "welfare:return-detail": (RETURN_PLANS, MY_RETURNS),
    "welfare:step-record": (RETURN_PLANS,),
    "welfare:questionnaire": (MY_RETURNS,),
    **_each(["ledger:summary", "ledger:claimable", "ledger:claim-detail", "ledger:claim-documents-add"],
            COST_RECOVERY),
    "ledger:claim-create": (COST_RECOVERY, Crumb(_("File a claim"), "ledger:claimable", COORD)),
    "planning:candidates-bulletin": (WHO_COULD_GO,),
    "planning:forecast-mission": (FORECAST,),
    **_each(["planning:session-create", "planning:session-detail", "planning:session-edit",
             "planning:session-cancel", "planning:session-results", "planning:session-register"], SESSIONS),
    "planning:pool-support": (POOL,),
    "notifications:outbox-detail": (OUTBOX,),
    "notifications:my-message-detail": (MY_MESSAGES,),
    "accounts:api-token-create": (API_TOKENS,),
    **_each(["accounts:mfa-setup", "accounts:mfa-verify"], TWO_STEP),
    "privacy:retention-anonymise": (RETENTION,),
    "partners:join-thanks": (JOIN,),
    "partners:request-detail": (REQUESTS_TO_JOIN,),
    "password_change_done": (CHANGE_PASSWORD,),
    "site_pages:report-problem-thanks": (REPORT_PROBLEM,),
}


def route_name(match) -> str:
    if match is None:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or "")


def trail(request) -> list[tuple[str, str]]:
    """[(label, url), ...] from Home to the current page's parent; [] on the pages with no trail."""
    match = getattr(request, "resolver_match", None)
    name = route_name(match)
    if name in NO_TRAIL:
        return []
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    crumbs = [(_("Home"), reverse("home"))]
    for crumb in PARENTS.get(name, ()):
        if crumb.roles and role not in crumb.roles:
            continue
        try:
            url = reverse(crumb.url_name)
        except NoReverseMatch:
            continue
        if request.path == url:
            continue
        crumbs.append((crumb.label, url))
    return crumbs
