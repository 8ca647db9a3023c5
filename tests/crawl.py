"""The page crawl (issue 14): every page a role can reach by following links, in English or French,
checked by axe-core in Chromium and by the Nu HTML checker (vnu-jar, on Java).

The rules (which links are followed, how pages are grouped and capped, how the checker's report is
read) are plain functions here, tested on their own in tests/test_crawl_rules.py; `run_crawl` drives
the browser and is called by tests/browser/test_crawl_*.py, one test per role and language.

- Links: every same-origin `<a href>` of every HTML page, breadth first from "/", GET only.
- Left out, each with its reason (`exclusion`): signing out, the language switch, downloads, the API,
  Django's admin, static and uploaded files, the operations endpoints. A page whose response is not
  text/html (a feed, a file served without a telling suffix) is not checked either.
- Pages of one kind (`route_key`: the URL pattern plus the names of the query-string keys) are
  visited at most `PER_ROUTE` times: the second bulletin's page says nothing the first did not, and
  1,000 bulletins must not make the crawl 1,000 times longer. A role's crawl also stops at
  `MAX_PAGES`, and reaching that cap fails the test, so it can never hide pages silently.
- A link that answers an error (>= 400) fails the test: a link shown to a role must work for it.
- Each page must be in the language chosen (`<html lang>`), and axe must find no violation of any
  impact (`AXE_RUN`: every rule; colour contrast once per URL pattern). Its body, as the server sent
  it, goes to the Nu HTML checker with all the others, in one run per test (`run_vnu`); no error may
  be found. Without Java or the checker, the test fails: it is never skipped.
- Following links must change no data: the database's rows are fingerprinted before and after
  (`data_fingerprint`), leaving out what reading writes on purpose (the audit trail of reads,
  sessions, sign-in records).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

PER_ROUTE = 2  # pages visited per kind of page (route_key)
MAX_PAGES = 250  # pages per role and language; reaching it fails the test

# Paths left out, by prefix, and why. Django's admin is left out because its pages are Django's
# own templates (and only superusers reach it), not this project's to validate or fix.
EXCLUDED_PREFIXES = {
    "/accounts/logout/": "signs out",
    "/i18n/setlang/": "the language switch (a POST form; the French crawl uses it once, as a user does)",
    "/admin/": "Django's admin: Django's own templates, not ours to validate",
    "/api/": "the REST API and its documentation (JSON, and drf-spectacular's Swagger UI)",
    "/static/": "a static file",
    "/media/": "an uploaded file",
    "/metrics": "operations endpoint (Prometheus text)",
    "/healthz": "operations endpoint (plain text)",
    "/readyz": "operations endpoint (JSON)",
    "/favicon.ico": "an image",
}
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".zip")


def normalise(href: str, base: str) -> str:
    """The absolute form of a link found on the page at `base`: no fragment, the query string's
    parameters in a stable order (so ?a=1&b=2 and ?b=2&a=1 are one page), no empty "?"."""
    parts = urlsplit(urljoin(base, href.strip()))
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def exclusion(url: str, origin: str, *, download_attribute: bool = False) -> str | None:
    """Why a (normalised) link is not followed, or None if it is."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin.lower().rstrip("/"):
        return "another site, or not a web address (mailto:, tel:)"
    if download_attribute:
        return "a download (the link's download attribute)"
    for prefix, reason in EXCLUDED_PREFIXES.items():
        folder = prefix.rstrip("/")
        if parts.path == folder or parts.path.startswith(folder + "/"):
            return reason
    if parts.path.lower().endswith(DOWNLOAD_SUFFIXES):
        return "a download (" + parts.path.rsplit(".", 1)[-1].upper() + ")"
    return None


def route_key(url: str) -> str:
    """The kind of page a URL is: its URL pattern (Django's resolve(path).route) plus the sorted
    names of its query-string keys, e.g. "/bulletins/<int:pk>/" or "/roster/ ?page,sort"."""
    from django.urls import Resolver404, resolve

    parts = urlsplit(url)
    try:
        route = "/" + resolve(parts.path).route
    except Resolver404:
        route = parts.path  # not ours: each such page is its own kind (and will answer 404)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{route} ?{','.join(names)}" if names else route


class RouteCap:
    """Admits at most `per_route` URLs of each kind; remembers how many more were turned away."""

    def __init__(self, per_route: int = PER_ROUTE):
        self.per_route = per_route
        self.admitted: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    def admit(self, url: str) -> bool:
        key = route_key(url)
        if self.admitted[key] >= self.per_route:
            self.refused[key] += 1
            return False
        self.admitted[key] += 1
        return True


def is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "text/html"


# --- the Nu HTML checker


def vnu_missing() -> str | None:
    """Why the Nu HTML checker cannot run here, or None."""
    if shutil.which("java") is None:
        return "Java is not installed (the Nu HTML checker runs on Java 17)"
    if not VNU_JAR.is_file():
        return f"{VNU_JAR.relative_to(BASE_DIR)} is missing (npm ci installs vnu-jar)"
    return None


# Java's quick compiler only (C1) and one garbage collector thread: a run of a few seconds then
# takes half the CPU time (the checker is done before the optimising compiler would pay off, and
# the machine's other cores are busy with the other crawl). C1 code needs a deeper thread stack than
# the checker's 512k minimum, hence -Xss16m.
JAVA_OPTIONS = ["-Xss16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]


def vnu_command(directory: Path) -> list[str]:
    return ["java", *JAVA_OPTIONS, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(directory)]


def parse_vnu(output: str, pages: dict[str, str]) -> list[str]:
    """The errors in the checker's JSON report, one line each: page (its URL, from `pages`, which maps
    a file's name to the URL it was saved from), line, message. A report that is not JSON, or a
    message the checker could not check a file for ("non-document-error"), is an error too."""
    try:
        report = json.loads(output)
    except ValueError:
        return [f"the Nu HTML checker's output is not JSON: {output[:500]!r}"]
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        name = message.get("url", "").rsplit("/", 1)[-1]
        where = pages.get(name, message.get("url", "?"))
        line = message.get("lastLine", message.get("firstLine", "?"))
        errors.append(f"{where} (line {line}): {message.get('message', '').strip()}")
    return errors


def run_vnu(directory: Path, pages: dict[str, str]) -> list[str]:
    """Check every .html file of `directory` in one run of the checker (each start costs about a
    second and a half of Java)."""
    done = subprocess.run(vnu_command(directory), capture_output=True, text=True, timeout=600)
    output = done.stderr.strip() or done.stdout.strip()  # the report goes to stderr
    errors = parse_vnu(output, pages)
    if done.returncode != 0 and not errors:
        errors.append(f"the Nu HTML checker failed (exit {done.returncode}): {output[:500]}")
    return errors


# --- reading must change no data

# Written by reading pages, on purpose: the audit trail (reads of personal data are recorded),
# sessions (the idle timeout), django-axes' records of signing in, Django admin's log.
READ_SIDE_EFFECTS = frozenset({
    "audit.AuditEntry",
    "sessions.Session",
    "axes.AccessLog",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "admin.LogEntry",
})


# Rows, rather than tables, written by reading a page on purpose. The two-step verification setup
# page (accounts.views.mfa_setup) keeps the secret its QR code shows as an *unconfirmed* authenticator,
# replaced each time the page is shown and never accepted at sign-in until a code from it is entered
# (a POST): a draft, like a session. Confirmed authenticators still count.
READ_SIDE_EFFECT_ROWS = {"otp_totp.TOTPDevice": {"confirmed": False}}


def data_fingerprint(ignore: frozenset[str] = READ_SIDE_EFFECTS,
                     ignore_rows: dict[str, dict] = READ_SIDE_EFFECT_ROWS) -> dict[str, str]:
    """A digest of every row of every table (each model, by label), but the tables in `ignore` and
    the rows in `ignore_rows` (label -> a filter)."""
    from django.apps import apps

    digests = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if label in ignore or model._meta.proxy or not model._meta.managed:
            continue
        rows = model._base_manager.exclude(**ignore_rows[label]) if label in ignore_rows else model._base_manager
        digest = hashlib.sha256()
        for row in rows.order_by("pk").values_list().iterator(chunk_size=2000):
            digest.update(repr(row).encode())
        digests[label] = digest.hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


# --- the crawl itself


@dataclass
class CrawlReport:
    who: str
    language: str
    pages: list[str] = field(default_factory=list)  # the HTML pages checked
    routes: Counter = field(default_factory=Counter)  # pages checked per kind
    left_out: dict[str, str] = field(default_factory=dict)  # URL -> why not followed
    capped: Counter = field(default_factory=Counter)  # kind -> links not followed because of PER_ROUTE
    problems: list[str] = field(default_factory=list)  # statuses, languages, axe
    html_errors: list[str] = field(default_factory=list)  # vnu
    html_skipped: str | None = None  # why vnu did not run
    saved: dict[str, str] = field(default_factory=dict)  # file name in the HTML folder -> URL
    contrast_pages: int = 0  # pages whose colour contrast was checked (one per URL pattern)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        times = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return (f"{self.who} ({self.language}): {len(self.pages)} pages of {len(self.routes)} kinds "
                f"(colour contrast on {self.contrast_pages}), {len(self.left_out)} links left out, "
                f"{sum(self.capped.values())} beyond the cap; {times}")


AXE_SCRIPT = None


def axe_script() -> str:
    """axe-core as axe-playwright-python ships it (the version the other accessibility tests use)."""
    global AXE_SCRIPT
    if AXE_SCRIPT is None:
        from axe_playwright_python.sync_playwright import Axe

        AXE_SCRIPT = Axe().axe_script
    return AXE_SCRIPT


# axe's default rule set: every rule of WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus its best
# practices, whatever their impact. One rule is run less often, none is turned off: colour contrast
# (`color-contrast`) takes four fifths of axe's time on a page of tables (about 2 ms per piece of
# text, measured here), and what it checks, the colours of text on its background, comes from the
# style sheet and the template, which every page of a URL pattern shares. So it runs on the first
# page of each URL pattern (whatever the query string) in each language and role, and every other
# rule runs on every page. What this leaves unchecked is a colour that only a later page of a pattern
# shows; the lists, where statuses of every kind appear side by side, are checked, each first page.
AXE_RUN = "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
AXE_RUN_BUT_CONTRAST = (
    "axe.run(document, {resultTypes: ['violations'], rules: {'color-contrast': {enabled: false}}})"
    ".then(r => r.violations)"
)


def axe_violations(page, *, contrast: bool = True) -> list[str]:
    """Every violation axe finds on the page (axe is already in it: see run_crawl), one line each:
    rule, impact, how many elements, the first element and what the rule asks for."""
    found = page.evaluate(AXE_RUN if contrast else AXE_RUN_BUT_CONTRAST)
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} element(s)), first {v['nodes'][0]['target']}: {v['help']}"
        for v in found
    ]


# The page's language and its links (as written, and whether they carry the download attribute),
# in one call.
PAGE_FACTS = """({
  lang: document.documentElement.lang,
  links: Array.from(document.querySelectorAll("a[href]"), a => [a.getAttribute("href"), a.hasAttribute("download")]),
})"""


def crawl(page, base_url: str, *, who: str, language: str, html_dir: Path, per_route: int = PER_ROUTE,
          max_pages: int = MAX_PAGES) -> CrawlReport:
    """Breadth first from "/" in `page` (already signed in, and in `language`): checks each HTML page
    (status, <html lang>, axe) and saves its body, as the server sent it, into `html_dir` for vnu."""
    from playwright.sync_api import Error as PlaywrightError

    report = CrawlReport(who=who, language=language)
    origin = base_url.rstrip("/")
    start = normalise("/", base_url)
    cap = RouteCap(per_route)
    cap.admit(start)
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen = {start}
    checked: set[str] = set()
    pages: dict[str, str] = {}
    spent = Counter()
    contrast_checked: set[str] = set()  # URL patterns whose colour contrast was checked
    while queue:
        url, found_on = queue.popleft()
        if len(checked) >= max_pages:
            report.problems.append(
                f"the crawl reached its cap of {max_pages} pages with {len(queue) + 1} link(s) still to "
                f"follow (e.g. {url}): raise MAX_PAGES or lower PER_ROUTE in tests/crawl.py"
            )
            break
        t = time.monotonic()
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" not in str(exc):
                report.problems.append(f"{url} (linked from {found_on}): {exc}")
                continue
            kind = page.context.request.get(url).headers.get("content-type", "")
            if is_html(kind):
                report.problems.append(f"{url} (linked from {found_on}): downloaded, yet text/html")
            else:
                report.left_out[url] = f"a download ({kind})"
            continue
        if response is None:  # the same document: cannot happen without fragments, but be sure
            response = page.reload()
        spent["load"] += time.monotonic() - t
        final = normalise(page.url, base_url)
        if response.status >= 400:
            report.problems.append(f"{url} (linked from {found_on}) answered {response.status}")
            continue
        if not is_html(response.headers.get("content-type")):
            report.left_out[url] = f"not HTML ({response.headers.get('content-type')})"
            continue
        if final in checked:
            continue  # a redirect to a page already checked
        if exclusion(final, origin):
            report.problems.append(f"{url} (linked from {found_on}) led to {final}: {exclusion(final, origin)}")
            continue
        checked.add(final)
        seen.add(final)
        report.pages.append(final)
        kind = route_key(final)
        report.routes[kind] += 1
        pattern = kind.split(" ?")[0]
        contrast = pattern not in contrast_checked
        contrast_checked.add(pattern)
        name = f"{len(report.pages):04d}.html"
        (html_dir / name).write_text(response.text(), encoding="utf-8")
        pages[name] = final
        facts = page.evaluate(PAGE_FACTS)
        if facts["lang"] != language:
            report.problems.append(f"{final}: <html lang={facts['lang']!r}>, expected {language!r}")
        t = time.monotonic()
        for violation in axe_violations(page, contrast=contrast):
            report.problems.append(f"{final}: {violation}")
        spent["axe"] += time.monotonic() - t
        for href, download in facts["links"]:
            link = normalise(href, page.url)
            if link in seen:
                continue
            seen.add(link)
            reason = exclusion(link, origin, download_attribute=download)
            if reason:
                report.left_out[link] = reason
            elif cap.admit(link):
                queue.append((link, final))
    report.capped = cap.refused
    report.contrast_pages = len(contrast_checked)
    report.seconds.update(spent)
    report.saved = pages
    return report


def _login(page, base_url: str, email: str) -> None:
    from tests.browser.conftest import login

    login(page, base_url, email)


def _to_french(page, base_url: str) -> None:
    """Switch to French as a user does: the language toggle in the page's header."""
    page.goto(base_url + "/")
    page.locator(".gc-lang-toggle button[name=language][value=fr]").click()
    page.wait_for_load_state()
    lang = page.evaluate("document.documentElement.lang")
    assert lang == "fr", f"the language toggle left the page in {lang!r}"


def new_context(browser):
    """A browser context (its own cookies) with axe in every document, put there before the page's
    own scripts: cheaper than sending half a megabyte of script over for each page. The Content
    Security Policy would block axe's injected code, hence bypass_csp."""
    context = browser.new_context(bypass_csp=True, locale="en-CA")
    context.add_init_script(axe_script())
    return context


def run_crawl(browser, base_url: str, email: str | None, language: str) -> CrawlReport:
    """Seed the demo data, sign in as `email` (None: not signed in), switch to `language`, crawl,
    check the HTML with vnu; the report says what was found. Data must not change meanwhile."""
    from django.core.management import call_command

    started = time.monotonic()
    call_command("seed_demo", verbosity=0)
    seeded = time.monotonic()
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        if email:
            _login(page, base_url, email)
        if language == "fr":
            _to_french(page, base_url)
        before = data_fingerprint()
        with tempfile.TemporaryDirectory(prefix="crawl-html-") as tmp:
            report = crawl(page, base_url, who=email or "not signed in", language=language, html_dir=Path(tmp))
            crawled = time.monotonic()
            changed = changed_tables(before, data_fingerprint())
            if changed:
                report.problems.append("following links changed data in: " + ", ".join(changed))
            missing = vnu_missing()
            if missing:
                report.html_skipped = missing
            else:
                report.html_errors = run_vnu(Path(tmp), report.saved)
            report.seconds.update({"seed": seeded - started, "crawl": crawled - seeded,
                                   "vnu": time.monotonic() - crawled})
    finally:
        context.close()
    return report


def check(report: CrawlReport, *, must_reach: set[str], at_least: int) -> None:
    """Fail the test on any problem, or if the crawl missed a kind of page in `must_reach` or found
    fewer than `at_least` pages (a crawl that lost its way, e.g. a failed sign-in, must not pass on
    the few pages it still finds); and fail if vnu could not run."""
    import pytest

    print(report.summary())
    assert not report.problems, f"{report.summary()}\n" + "\n".join(report.problems)
    assert not report.html_errors, f"{report.summary()}\nNu HTML checker:\n" + "\n".join(report.html_errors)
    missed = must_reach - set(report.routes)
    assert not missed, f"{report.summary()}\nnever reached: {sorted(missed)}"
    assert len(report.pages) >= at_least, f"{report.summary()}: expected at least {at_least} pages"
    if report.html_skipped:  # never a skip: the HTML check is part of what this test proves
        pytest.fail(f"the HTML could not be checked: {report.html_skipped} (install Java 17 and run `npm ci`, "
                    "which `make test` does when npm is there)")
