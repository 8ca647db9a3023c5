"""Every route of the REST API, with each HTTP method it answers, must appear in API_ROLE_ACCESS with
the status each persona gets, as tests/test_role_access.py does for the pages. A route or a method
added to the API without a row fails `test_every_api_route_is_in_the_table`.

Personas call with an API token (read and write) of their login: anonymous (no token), officer X
(agency A), the coordinator of agency A, the coordinator of agency B and IPO staff. Objects belong to
agency A / officer X unless said otherwise. A record the persona may not see answers 404, an action
their role may not take 403, a refusal because of the record's state 409.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api.conftest import api_client

PERSONAS = ["anonymous", "officer_x", "coord_a", "coord_b", "ipo"]


def every(code, **overrides):
    return {**{p: code for p in PERSONAS}, **overrides}


SIGNED_IN = every(200, anonymous=401)
X_ONLY = every(200, anonymous=401, coord_b=404)  # officer X's own records
STAFF_AND_COORD = every(200, anonymous=401, officer_x=403)
IPO_ACTS_ON_X = every(403, anonymous=401, coord_b=404, ipo=200)  # X's record: B cannot see it


def row(expect, kwargs=None, data=None, multipart=False):
    return {"expect": expect, "kwargs": kwargs or (lambda w: {}), "data": data or (lambda w: {}),
            "multipart": multipart}


# --- objects the rows make --------------------------------------------------------------------------

def _draft_bulletin(w):
    from tests.factories import BulletinFactory

    return BulletinFactory(mission=w.mission, status="draft")


def _open_bulletin(w):
    from tests.factories import BulletinFactory

    return BulletinFactory(mission=w.mission)


def _notice_a(w):
    return w.bulletin.notices.create(agency=w.agency_a)


def _clearance_of_x(w):
    return w.officer_x.clearances.create(kind="security", valid_until=dt.date(2031, 1, 1), reference="S-1")


def _application_of_x(w, status):
    from tests.factories import ApplicationFactory

    return ApplicationFactory(bulletin=_open_bulletin(w), officer=w.officer_x, status=status)


def _document_of_app_x(w):
    from django.core.files.base import ContentFile

    from tests.factories import minimal_pdf_bytes

    pdf = minimal_pdf_bytes()
    return w.app_x.documents.create(file=ContentFile(pdf, name="cv.pdf"), original_name="cv.pdf", size=len(pdf))


def _planned_deployment_of_x(w):
    from tests.factories import DeploymentFactory

    return DeploymentFactory(officer=w.officer_x, mission=w.mission, status="planned",
                             start_date=w.dep_x.planned_end_date,
                             planned_end_date=w.dep_x.planned_end_date + dt.timedelta(days=270))


def _new_officer(w):
    return {"agency": w.agency_a.pk, "first_name": "Nadia", "last_name": "New", "badge_number": "N-100",
            "rank": "cst", "gender": "woman", "date_of_birth": "1988-04-02", "service_start": "2012-09-01",
            "email": "nadia.new@example.test", "english_level": 4, "french_level": 3, "manual_driving": True,
            "firearms_qualified": True, "is_active": True}


API_ROLE_ACCESS = {
    # the index, the schema and its documentation are open to everyone
    ("api:root", "get"): row(every(302)),
    ("api:index", "get"): row(every(200)),
    ("api:schema", "get"): row(every(200)),
    ("api:docs", "get"): row(every(200)),
    ("api:me", "get"): row(SIGNED_IN),
    ("api:dashboard", "get"): row(STAFF_AND_COORD),
    # missions and bulletins: every signed-in role reads them
    ("api:mission-list", "get"): row(SIGNED_IN),
    ("api:mission-detail", "get"): row(SIGNED_IN, lambda w: {"pk": w.mission.pk}),
    ("api:bulletin-list", "get"): row(SIGNED_IN),
    ("api:bulletin-detail", "get"): row(SIGNED_IN, lambda w: {"pk": w.bulletin.pk}),
    # a draft: only IPO staff see it (and publish it)
    ("api:bulletin-publish", "post"): row(every(404, anonymous=401, ipo=200),
                                          lambda w: {"pk": _draft_bulletin(w).pk}),
    # the world's bulletin is published: the others see it but may not act
    ("api:bulletin-close", "post"): row(every(403, anonymous=401, ipo=200), lambda w: {"pk": w.bulletin.pk}),
    ("api:bulletin-cancel", "post"): row(every(403, anonymous=401, ipo=200), lambda w: {"pk": w.bulletin.pk},
                                         lambda w: {"reason": "The mandate ended."}),
    # agency A was notified (the kwargs make its notice), agency B was not
    ("api:bulletin-acknowledge", "post"): row(every(403, anonymous=401, coord_a=200),
                                              lambda w: {"pk": _notice_a(w).bulletin_id}),
    ("api:notice-list", "get"): row(STAFF_AND_COORD),
    ("api:notice-detail", "get"): row({**STAFF_AND_COORD, "coord_b": 404}, lambda w: {"pk": _notice_a(w).pk}),
    ("api:notice-acknowledge", "post"): row(every(403, anonymous=401, coord_a=200, coord_b=404),
                                            lambda w: {"pk": _notice_a(w).pk}),
    # officers: IPO staff and coordinators keep them (coordinator B adds to agency B)
    ("api:officer-list", "get"): row(STAFF_AND_COORD),
    ("api:officer-list", "post"): row({**STAFF_AND_COORD, "ipo": 201, "coord_a": 201, "coord_b": 201},
                                      data=_new_officer),
    ("api:officer-detail", "get"): row(X_ONLY, lambda w: {"pk": w.officer_x.pk}),
    ("api:officer-detail", "patch"): row({**X_ONLY, "officer_x": 403}, lambda w: {"pk": w.officer_x.pk},
                                         lambda w: {"phone": "613 555 0199"}),
    ("api:clearance-list", "get"): row(X_ONLY, lambda w: {"officer_pk": w.officer_x.pk}),
    ("api:clearance-list", "post"): row({**X_ONLY, "officer_x": 403, "ipo": 201, "coord_a": 201},
                                        lambda w: {"officer_pk": w.officer_x.pk},
                                        lambda w: {"kind": "passport", "valid_until": "2032-05-01"}),
    ("api:clearance-detail", "get"): row(X_ONLY, lambda w: {"officer_pk": w.officer_x.pk,
                                                            "pk": _clearance_of_x(w).pk}),
    ("api:clearance-detail", "patch"): row({**X_ONLY, "officer_x": 403},
                                           lambda w: {"officer_pk": w.officer_x.pk, "pk": _clearance_of_x(w).pk},
                                           lambda w: {"valid_until": "2033-01-31"}),
    ("api:clearance-detail", "delete"): row({**X_ONLY, "officer_x": 403, "ipo": 204, "coord_a": 204},
                                            lambda w: {"officer_pk": w.officer_x.pk, "pk": _clearance_of_x(w).pk}),
    # applications: app_x is officer X's submitted application (agency A)
    ("api:application-list", "get"): row(SIGNED_IN),
    ("api:application-list", "post"): row(every(403, anonymous=401, officer_x=201), data=lambda w: {
        "bulletin": _open_bulletin(w).pk, "statement": "Ready to serve.", "confirm_ineligible": True}),
    # coordinator B cannot pick officer X (not one of B's officers): the form's own answer
    ("api:application-nominate", "post"): row(every(403, anonymous=401, coord_a=201, coord_b=400), data=lambda w: {
        "bulletin": _open_bulletin(w).pk, "officer": w.officer_x.pk, "release_confirmed": True,
        "confirm_ineligible": True}),
    ("api:application-detail", "get"): row(X_ONLY, lambda w: {"pk": w.app_x.pk}),
    ("api:application-events", "get"): row(X_ONLY, lambda w: {"pk": w.app_x.pk}),
    ("api:application-document", "get"): row(X_ONLY, lambda w: {"pk": w.app_x.pk,
                                                                "doc_pk": _document_of_app_x(w).pk}),
    ("api:application-endorse", "post"): row({**X_ONLY, "ipo": 403, "officer_x": 403},
                                             lambda w: {"pk": w.app_x.pk}, lambda w: {"release_confirmed": True}),
    ("api:application-decline", "post"): row({**X_ONLY, "ipo": 403, "officer_x": 403},
                                             lambda w: {"pk": w.app_x.pk}, lambda w: {"note": "Needed here."}),
    ("api:application-withdraw", "post"): row({**X_ONLY, "ipo": 403}, lambda w: {"pk": w.app_x.pk},
                                              lambda w: {"note": "Family reasons."}),
    ("api:application-transition", "post"): row(IPO_ACTS_ON_X,
                                                lambda w: {"pk": _application_of_x(w, "endorsed").pk},
                                                lambda w: {"to": "shortlisted", "note": "Strong file"}),
    # deployments: dep_x is officer X's tour in mission
    ("api:deployment-list", "get"): row(SIGNED_IN),
    # issue 14: the catalogue of roles a deployment may take, read by every signed-in role
    ("api:deployment-role-list", "get"): row(SIGNED_IN),
    ("api:deployment-list", "post"): row(every(403, anonymous=401, ipo=201), data=lambda w: {
        "application": _application_of_x(w, "selected").pk, "role": "Police adviser", "mission": w.mission.pk,
        "start_date": w.dep_x.planned_end_date.isoformat()}),
    ("api:deployment-detail", "get"): row(X_ONLY, lambda w: {"pk": w.dep_x.pk}),
    # dep_x is in mission already: recording an arrival is refused because of its state
    ("api:deployment-start", "post"): row({**IPO_ACTS_ON_X, "ipo": 409}, lambda w: {"pk": w.dep_x.pk},
                                          lambda w: {"arrived_on": w.dep_x.start_date.isoformat()}),
    ("api:deployment-complete", "post"): row(IPO_ACTS_ON_X, lambda w: {"pk": w.dep_x.pk},
                                             lambda w: {"early": True}),
    ("api:deployment-extend", "post"): row(IPO_ACTS_ON_X, lambda w: {"pk": w.dep_x.pk}, lambda w: {
        "new_end": (w.dep_x.planned_end_date + dt.timedelta(days=30)).isoformat(), "reason": "Mandate renewed"}),
    ("api:deployment-repatriate", "post"): row(IPO_ACTS_ON_X, lambda w: {"pk": w.dep_x.pk},
                                               lambda w: {"reason": "other", "note": "Family emergency"}),
    ("api:deployment-cancel", "post"): row(IPO_ACTS_ON_X, lambda w: {"pk": _planned_deployment_of_x(w).pk},
                                           lambda w: {"reason": "Visa refused"}),
}


def api_routes(resolver=None, namespace=""):
    """(name, method) of every route under the "api" namespace, for each method its view answers."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            yield from api_routes(p, f"{namespace}:{ns}".strip(":") if ns else namespace)
        elif isinstance(p, URLPattern) and namespace == "api" and p.name:
            yield from ((f"api:{p.name}", method) for method in methods_of(p.callback))


def methods_of(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset's route: the methods it maps, less those its view does not answer
        allowed = callback.cls.http_method_names
        return sorted(m for m in actions if m in allowed and m not in ("head", "options"))
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    initkwargs = getattr(callback, "view_initkwargs", None) or getattr(callback, "initkwargs", None) or {}
    allowed = initkwargs.get("http_method_names", cls.http_method_names)
    return sorted(m for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m) and m in allowed)


def test_every_api_route_is_in_the_table():
    routes = set(api_routes())
    assert routes, "no API route found"
    missing = sorted(routes - set(API_ROLE_ACCESS))
    assert not missing, f"API routes missing from API_ROLE_ACCESS: {missing}"
    stale = sorted(set(API_ROLE_ACCESS) - routes)
    assert not stale, f"API_ROLE_ACCESS rows with no route: {stale}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(API_ROLE_ACCESS), ids=lambda r: f"{r[0]}-{r[1]}")
def test_api_role_access(world, route, persona):
    cache.clear()  # the throttle's counts
    name, method = route
    spec = API_ROLE_ACCESS[route]
    user = {"anonymous": None, "officer_x": world.user_x, "coord_a": world.coord_a, "coord_b": world.coord_b,
            "ipo": world.ipo}[persona]
    client = api_client(user)
    url = reverse(name, kwargs=spec["kwargs"](world))
    data = spec["data"](world)
    response = getattr(client, method)(url, data, format="json") if data else getattr(client, method)(url)
    expected = spec["expect"][persona]
    body = getattr(response, "data", None)
    assert response.status_code == expected, f"{persona} {method.upper()} {url}: {body}"
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
