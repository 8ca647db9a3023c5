"""The page crawl's rules (tests/crawl.py): which links it follows and why not, how it groups and
caps pages, how it reads the Nu HTML checker's report, what fails it. The crawl itself runs in
tests/browser/test_crawl_*.py; here a fake page stands in for Chromium (tests/browser/test_crawl_axe.py
runs axe as the crawl does in the real one)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests import crawl
from tests.crawl import (
    AXE_RUN,
    AXE_RUN_BUT_CONTRAST,
    CrawlReport,
    RouteCap,
    changed_tables,
    check,
    data_fingerprint,
    exclusion,
    is_html,
    normalise,
    parse_vnu,
    route_key,
)

# Every test here may use the database (a transaction rolled back: nothing to speak of). Besides the
# few that need it, this puts them all before the crawls in pytest-django's order (database tests,
# then live-server tests, then the rest), so that under `pytest -n 2` xdist hands the eight crawls out
# one or two at a time as workers free up, instead of sending most of them to one worker in its
# first batch together with the three database tests (five minutes on one worker, one on the other).
pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


def url(path):
    return ORIGIN + path


# --- normalising links


def test_a_relative_link_becomes_absolute_against_the_page_it_is_on():
    assert normalise("../7/", url("/bulletins/5/edit/")) == url("/bulletins/5/7/")
    assert normalise("?status=open", url("/bulletins/")) == url("/bulletins/?status=open")
    assert normalise("", url("/roster/")) == url("/roster/")


def test_the_fragment_is_dropped_so_an_anchor_is_the_same_page():
    assert normalise("/officers/3/#clearances", url("/")) == url("/officers/3/")
    assert normalise("#main", url("/dashboard/")) == url("/dashboard/")


def test_the_query_string_is_put_in_a_stable_order():
    assert normalise("/roster/?sort=end&page=2", url("/")) == normalise("/roster/?page=2&sort=end", url("/"))
    assert normalise("/roster/?", url("/")) == url("/roster/")
    assert normalise("/roster/?q=", url("/")) == url("/roster/?q=")  # an empty value is still a value


def test_scheme_and_host_are_compared_in_lower_case():
    assert normalise("HTTP://TestServer/missions/", url("/")) == url("/missions/")


# --- what is left out, and why


@pytest.mark.parametrize(
    "path, why",
    [
        ("/accounts/logout/", "signs out"),
        ("/i18n/setlang/", "language switch"),
        ("/admin/", "Django's admin"),
        ("/admin/agencies/user/", "Django's admin"),
        ("/api/v1/docs/", "API"),
        ("/api/v1/bulletins/", "API"),
        ("/static/css/gc.css", "static"),
        ("/media/x.pdf", "uploaded"),
        ("/metrics", "operations"),
        ("/healthz", "operations"),
        ("/readyz", "operations"),
    ],
)
def test_paths_left_out_each_say_why(path, why):
    assert why in exclusion(url(path), ORIGIN)


def test_the_app_urls_of_the_left_out_kinds_are_left_out():
    """Tied to the real URL patterns: renaming one (say, logout) must not let the crawl follow it."""
    for name, kwargs in [
        ("logout", {}),
        ("set_language", {}),
        ("admin:index", {}),
        ("api:docs", {}),
        ("metrics", {}),
        ("healthz", {}),
        ("readyz", {}),
        ("roster:export-roster", {"fmt": "csv"}),
        ("roster:export-roster", {"fmt": "xlsx"}),
        ("ledger:export", {"fmt": "csv"}),
        ("privacy:my-record", {}),
    ]:
        assert exclusion(url(reverse(name, kwargs=kwargs)), ORIGIN), name


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "pdf", "ics", "zip", "CSV"])
def test_downloads_are_recognised_by_their_suffix(suffix):
    assert "download" in exclusion(url(f"/exports/roster.{suffix}"), ORIGIN)
    assert "download" in exclusion(url(f"/exports/roster.{suffix}?start=2026-01-01"), ORIGIN)


def test_a_link_with_the_download_attribute_is_a_download():
    assert "download" in exclusion(url("/officers/3/"), ORIGIN, download_attribute=True)


def test_other_sites_and_other_schemes_are_left_out():
    assert exclusion("https://www.canada.ca/en.html", ORIGIN)
    assert exclusion("http://testserver:8000/", ORIGIN)
    assert exclusion("mailto:ipo-roster@ipo.example", ORIGIN)
    assert exclusion("tel:+16135550100", ORIGIN)


def test_the_pages_themselves_are_followed():
    for path in ["/", "/bulletins/", "/bulletins/4/pipeline/?status=endorsed", "/metrics-report/",
                 "/officers/apicius/", "/planning/forecast/"]:
        assert exclusion(url(path), ORIGIN) is None, path


def test_only_text_html_is_checked():
    assert is_html("text/html; charset=utf-8")
    assert is_html("TEXT/HTML")
    assert not is_html("application/atom+xml; charset=utf-8")
    assert not is_html("application/pdf")
    assert not is_html(None)


# --- kinds of page, and the cap per kind


def test_a_kind_of_page_is_its_url_pattern_and_the_names_of_its_query_keys():
    assert route_key(url("/bulletins/4/")) == route_key(url("/bulletins/912/")) == "/bulletins/<int:pk>/"
    assert route_key(url("/roster/?page=2&sort=end")) == route_key(url("/roster/?sort=start&page=9"))
    assert route_key(url("/roster/?page=2&sort=end")) == "/roster/ ?page,sort"
    assert route_key(url("/roster/?page=2")) != route_key(url("/roster/?sort=end"))
    assert route_key(url("/roster/")) != route_key(url("/roster/?page=2"))
    assert route_key(url("/")) == "/"


def test_a_path_no_pattern_matches_is_its_own_kind():
    assert route_key(url("/no-such-page/")) == "/no-such-page/"
    assert route_key(url("/no-such-page/")) != route_key(url("/nor-this-one/"))


def test_the_cap_admits_so_many_of_a_kind_and_counts_the_rest():
    cap = RouteCap(per_route=2)
    assert [cap.admit(url(f"/officers/{pk}/")) for pk in range(1, 6)] == [True, True, False, False, False]
    assert cap.admit(url("/missions/1/"))
    assert cap.refused == {"/officers/<int:pk>/": 3}


# --- the Nu HTML checker's report


def test_the_checker_errors_name_the_page_line_and_message():
    output = """{"messages": [
      {"type": "error", "url": "file:/tmp/crawl-x/0002.html", "lastLine": 41, "message": "Duplicate ID “main”."},
      {"type": "info", "subType": "warning", "url": "file:/tmp/crawl-x/0001.html", "lastLine": 3,
       "message": "Consider adding a “lang” attribute."},
      {"type": "non-document-error", "url": "file:/tmp/crawl-x/0003.html", "message": "IO error"}
    ]}"""
    pages = {"0001.html": url("/"), "0002.html": url("/bulletins/"), "0003.html": url("/roster/")}
    assert parse_vnu(output, pages) == [
        "http://testserver/bulletins/ (line 41): Duplicate ID “main”.",
        "http://testserver/roster/ (line ?): IO error",
    ]


def test_a_clean_report_has_no_errors():
    assert parse_vnu('{"url": null, "messages": []}', {}) == []


def test_output_that_is_not_a_report_is_an_error():
    assert "not JSON" in parse_vnu("Exception in thread main java.lang.OutOfMemoryError", {})[0]


def test_the_checker_is_run_once_over_the_folder_errors_only_as_json(tmp_path):
    command = crawl.vnu_command(tmp_path)
    assert command[0] == "java"
    assert command[command.index("-jar") + 1] == str(crawl.VNU_JAR)
    assert {"--errors-only", "--format", "json"} <= set(command)
    assert command[-1] == str(tmp_path)


def test_the_checker_finds_an_error_in_a_page(tmp_path):
    """The real checker, on one valid and one invalid page (a few seconds of Java)."""
    missing = crawl.vnu_missing()
    assert not missing, f"{missing} (install Java 17 and run `npm ci`, which `make test` does when npm is there)"
    (tmp_path / "0001.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Fine</title></head><body><p>Fine</p></body></html>'
    )
    (tmp_path / "0002.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Not fine</title></head>\n'
        '<body><div id="x"></div><div id="x"></div></body></html>'
    )
    errors = crawl.run_vnu(tmp_path, {"0001.html": url("/fine/"), "0002.html": url("/not-fine/")})
    assert errors and all(e.startswith("http://testserver/not-fine/ (line 2): ") for e in errors), errors
    assert any("Duplicate ID" in e for e in errors), errors


def test_without_java_or_the_jar_the_checker_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(crawl.shutil, "which", lambda name: None)
    assert "Java" in crawl.vnu_missing()
    monkeypatch.setattr(crawl.shutil, "which", lambda name: "/usr/bin/java")
    monkeypatch.setattr(crawl, "VNU_JAR", tmp_path / "node_modules" / "vnu.jar")
    monkeypatch.setattr(crawl, "BASE_DIR", tmp_path)
    assert "npm ci" in crawl.vnu_missing()


def clean_report(**kwargs):
    report = CrawlReport(who="ipo@demo.example", language="en", pages=[url("/")], **kwargs)
    report.routes["/"] = 1
    return report


@pytest.mark.parametrize("ci", [None, "true"])
def test_a_missing_checker_fails_everywhere(monkeypatch, ci):
    """On a workstation as in CI: a crawl whose HTML was not checked has not proved what it claims."""
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    # a skip must not pass for the failure (nor turn this test into a skipped one)
    with pytest.raises((pytest.fail.Exception, pytest.skip.Exception)) as raised:
        check(clean_report(html_skipped="no Java"), must_reach={"/"}, at_least=1)
    assert raised.type is pytest.fail.Exception and "could not be checked: no Java" in str(raised.value)


def test_check_fails_on_a_problem_an_html_error_a_page_never_reached_or_too_few_pages(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    check(clean_report(), must_reach={"/"}, at_least=1)
    with pytest.raises(AssertionError, match="answered 500"):
        check(clean_report(problems=["/x/ answered 500"]), must_reach={"/"}, at_least=1)
    with pytest.raises(AssertionError, match="Duplicate ID"):
        check(clean_report(html_errors=["/ (line 3): Duplicate ID"]), must_reach={"/"}, at_least=1)
    with pytest.raises(AssertionError, match="never reached"):
        check(clean_report(), must_reach={"/", "/dashboard/"}, at_least=1)
    with pytest.raises(AssertionError, match="at least 2 pages"):
        check(clean_report(), must_reach={"/"}, at_least=2)


# --- the crawl, with a fake page in place of Chromium


class FakeResponse:
    def __init__(self, status, content_type, body):
        self.status = status
        self.headers = {"content-type": content_type}
        self.body = body

    def text(self):
        return self.body


class FakePage:
    """A site as a dict: path -> {"links": [...], "status", "type", "lang", "violations", "redirect"}."""

    def __init__(self, site):
        self.site = site
        self.url = "about:blank"
        self.visited = []
        self.contrast = []  # per page checked: whether axe checked its colour contrast

    def goto(self, address):
        from playwright.sync_api import Error

        path = address[len(ORIGIN):]
        self.visited.append(path)
        page = self.site[path]
        if "download" in page:  # what Chromium does with a response sent as an attachment
            raise Error("Page.goto: Download is starting")
        self.current = self.site.get(page.get("redirect"), page)
        self.url = ORIGIN + page.get("redirect", path)
        return FakeResponse(page.get("status", 200), page.get("type", "text/html; charset=utf-8"),
                            f"<!DOCTYPE html><title>{path}</title>")

    def evaluate(self, expression):
        if expression in (AXE_RUN, AXE_RUN_BUT_CONTRAST):
            self.contrast.append(expression == AXE_RUN)
            return self.current.get("violations", [])
        assert expression == crawl.PAGE_FACTS
        links = [[href, href.endswith("#download")] for href in self.current.get("links", [])]
        return {"lang": self.current.get("lang", "en"), "links": links}

    @property
    def context(self):
        """context.request.get(url): the same URL fetched outside the page, as a download is."""
        site = self.site

        class Request:
            def get(self, address):
                return FakeResponse(200, site[address[len(ORIGIN):]]["download"], "")

        return SimpleNamespace(request=Request())


def fake_crawl(site, tmp_path, **kwargs):
    page = FakePage(site)
    report = crawl.crawl(page, ORIGIN, who="tester", language="en", html_dir=tmp_path, **kwargs)
    return page, report


def test_the_crawl_follows_links_breadth_first_and_saves_each_page_as_sent(tmp_path):
    site = {
        "/": {"links": ["/bulletins/", "/missions/"]},
        "/bulletins/": {"links": ["/bulletins/4/", "/", "#main"]},
        "/missions/": {"links": ["/bulletins/4/"]},
        "/bulletins/4/": {},
    }
    page, report = fake_crawl(site, tmp_path)
    assert page.visited == ["/", "/bulletins/", "/missions/", "/bulletins/4/"]
    assert report.problems == []
    assert report.saved == {f"000{i}.html": url(p) for i, p in enumerate(page.visited, start=1)}
    assert (tmp_path / "0004.html").read_text() == "<!DOCTYPE html><title>/bulletins/4/</title>"


def test_left_out_links_are_not_followed_and_say_why(tmp_path):
    site = {"/": {"links": ["/accounts/logout/", "/exports/roster.csv", "/officers/3/#download",
                            "/api/v1/", "https://www.canada.ca/"]}}
    page, report = fake_crawl(site, tmp_path)
    assert page.visited == ["/"]
    assert set(report.left_out) == {url("/accounts/logout/"), url("/exports/roster.csv"), url("/officers/3/"),
                                    url("/api/v1/"), "https://www.canada.ca/"}


def test_a_page_that_is_not_html_is_not_checked(tmp_path):
    site = {"/": {"links": ["/bulletins/feed/en/"]},
            "/bulletins/feed/en/": {"type": "application/atom+xml; charset=utf-8", "lang": "", "links": ["/x/"]}}
    page, report = fake_crawl(site, tmp_path)
    assert page.visited == ["/", "/bulletins/feed/en/"]
    assert report.problems == []
    assert list(report.saved.values()) == [url("/")]
    assert "not HTML" in report.left_out[url("/bulletins/feed/en/")]


def test_a_download_found_only_by_its_response_is_left_out(tmp_path):
    site = {"/": {"links": ["/applications/3/documents/9/", "/ledger/claims/2/documents/4/"]},
            "/applications/3/documents/9/": {"download": "application/pdf"},
            "/ledger/claims/2/documents/4/": {"download": "text/html; charset=utf-8"}}
    page, report = fake_crawl(site, tmp_path)
    assert report.left_out == {url("/applications/3/documents/9/"): "a download (application/pdf)"}
    assert report.problems == [
        "http://testserver/ledger/claims/2/documents/4/ (linked from http://testserver/): "
        "downloaded, yet text/html"
    ]


def test_a_link_that_answers_an_error_fails_and_says_where_it_was_found(tmp_path):
    site = {"/": {"links": ["/bulletins/"]}, "/bulletins/": {"links": ["/bulletins/99/"]},
            "/bulletins/99/": {"status": 404}}
    _, report = fake_crawl(site, tmp_path)
    assert report.problems == [
        "http://testserver/bulletins/99/ (linked from http://testserver/bulletins/) answered 404"
    ]


@pytest.mark.parametrize("status", [403, 405, 500])
def test_any_error_status_fails(tmp_path, status):
    site = {"/": {"links": ["/bulletins/4/close/"]}, "/bulletins/4/close/": {"status": status}}
    _, report = fake_crawl(site, tmp_path)
    assert f"answered {status}" in report.problems[0]


def test_a_page_in_another_language_fails(tmp_path):
    site = {"/": {"links": ["/terms/"]}, "/terms/": {"lang": "fr"}}
    _, report = fake_crawl(site, tmp_path)
    assert report.problems == ["http://testserver/terms/: <html lang='fr'>, expected 'en'"]


def test_an_axe_violation_of_any_impact_fails_with_page_rule_and_first_element(tmp_path):
    violation = {"id": "region", "impact": "moderate", "help": "All page content should be contained by landmarks",
                 "nodes": [{"target": ["#stray"]}, {"target": [".other"]}]}
    site = {"/": {"links": ["/terms/"]}, "/terms/": {"violations": [violation]}}
    _, report = fake_crawl(site, tmp_path)
    assert report.problems == [
        "http://testserver/terms/: region (moderate, 2 element(s)), first ['#stray']: "
        "All page content should be contained by landmarks"
    ]


def test_the_crawl_visits_so_many_pages_of_a_kind(tmp_path):
    site = {"/": {"links": [f"/officers/{pk}/" for pk in range(1, 8)]}}
    site.update({f"/officers/{pk}/": {} for pk in range(1, 8)})
    page, report = fake_crawl(site, tmp_path, per_route=2)
    assert page.visited == ["/", "/officers/1/", "/officers/2/"]
    assert report.capped == {"/officers/<int:pk>/": 5}


def test_colour_contrast_is_checked_on_the_first_page_of_each_url_pattern_and_the_rest_on_every_page(tmp_path):
    site = {"/": {"links": ["/officers/1/", "/officers/2/", "/officers/?after=x", "/officers/"]},
            "/officers/1/": {}, "/officers/2/": {}, "/officers/?after=x": {}, "/officers/": {}}
    page, report = fake_crawl(site, tmp_path)
    assert page.visited == ["/", "/officers/1/", "/officers/2/", "/officers/?after=x", "/officers/"]
    assert page.contrast == [True, True, False, True, False]
    assert report.contrast_pages == 3


def test_the_axe_runs_differ_only_by_the_contrast_rule():
    assert AXE_RUN_BUT_CONTRAST.replace(", rules: {'color-contrast': {enabled: false}}", "") == AXE_RUN


def test_reaching_the_cap_on_pages_fails_the_crawl(tmp_path):
    site = {"/": {"links": ["/bulletins/", "/missions/", "/roster/"]}, "/bulletins/": {}, "/missions/": {},
            "/roster/": {}}
    page, report = fake_crawl(site, tmp_path, max_pages=3)
    assert page.visited == ["/", "/bulletins/", "/missions/"]
    assert len(report.problems) == 1 and "cap of 3 pages" in report.problems[0]
    _, report = fake_crawl(site, tmp_path, max_pages=4)
    assert report.problems == []


def test_a_redirect_to_a_page_already_checked_is_not_checked_again(tmp_path):
    site = {"/": {"links": ["/officers/me/"]}, "/officers/me/": {"redirect": "/"}}
    page, report = fake_crawl(site, tmp_path)
    assert page.visited == ["/", "/officers/me/"]
    assert report.pages == [url("/")]


# --- following links changes no data


def test_a_changed_row_is_seen_and_named():
    from tests.factories import AgencyFactory

    agency = AgencyFactory()
    before = data_fingerprint()
    agency.name_en = "Renamed"
    agency.save()
    assert changed_tables(before, data_fingerprint()) == ["agencies.Agency"]
    before = data_fingerprint()
    AgencyFactory()
    assert "agencies.Agency" in changed_tables(before, data_fingerprint())


def test_what_reading_writes_on_purpose_is_not_a_change():
    from audit.services import audit_read
    from tests.factories import IpoStaffFactory

    user = IpoStaffFactory()
    before = data_fingerprint()
    audit_read(actor=user, obj=user, event="read.profile")
    assert changed_tables(before, data_fingerprint()) == []
    assert "audit.AuditEntry" in changed_tables(before, data_fingerprint(ignore=frozenset()))


def test_a_draft_authenticator_from_the_setup_page_is_not_a_change_but_a_confirmed_one_is():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.services import mfa_setup_start
    from tests.factories import UserFactory

    user = UserFactory()
    before = data_fingerprint()
    mfa_setup_start(user=user)  # what showing /accounts/two-step/setup/ does
    mfa_setup_start(user=user)
    assert changed_tables(before, data_fingerprint()) == []
    assert changed_tables(before, data_fingerprint(ignore_rows={})) == ["otp_totp.TOTPDevice"]
    TOTPDevice.objects.filter(user=user).update(confirmed=True)
    assert changed_tables(before, data_fingerprint()) == ["otp_totp.TOTPDevice"]
