"""The GC page furniture on every page, in both languages: the RCMP signature and the language toggle in
the header, the Canada wordmark and the site's links in the footer, the title pattern, the breadcrumbs
and the date modified."""

import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from site_pages import breadcrumbs, release
from tests.conftest import client_for
from tests.pages import page_text
from tests.test_role_access import iter_patterns

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def french(client):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    return client


def header(html: str) -> str:
    return html[html.index("<header"):html.index("</header>")]


def footer(html: str) -> str:
    return html[html.index("<footer"):html.index("</footer>")]


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def img(html: str, cls: str) -> str:
    return re.search(rf'<img class="{cls}"[^>]*>', html).group(0)


@pytest.mark.parametrize("language, signature, alt", [
    ("en", "rcmp-signature-en.svg", "Royal Canadian Mounted Police"),
    ("fr", "rcmp-signature-fr.svg", "Gendarmerie royale du Canada"),
])
def test_the_header_carries_the_rcmp_signature_in_the_page_language_and_the_toggle(world, clients, language,
                                                                                  signature, alt):
    client = french(clients.coord_a) if language == "fr" else clients.coord_a
    html = page_text(client.get("/"))
    top = header(html)
    signature_img = img(top, "gc-signature")
    assert f"/static/vendor/gcds/{signature}" in signature_img and f'alt="{alt}"' in signature_img
    # the toggle offers the other language, named in that language, by the set_language form
    other = ('value="en"', 'lang="en">English<') if language == "fr" else ('value="fr"', 'lang="fr">Français<')
    toggle = top[top.index('class="gc-lang-toggle"'):]
    assert f'action="{reverse("set_language")}"' in toggle and all(part in toggle for part in other)
    # the signature comes before the toggle (top left, top right), both before the main navigation
    assert top.index("gc-signature") < top.index("gc-lang-toggle") < top.index('id="nav-main"')


@pytest.mark.parametrize("language, wordmark, alt, links", [
    ("en", "wordmark-en.svg", "Symbol of the Government of Canada",
     ["Contact us", "Terms and conditions", "Privacy notice", "Report a problem"]),
    ("fr", "wordmark-fr.svg", "Symbole du gouvernement du Canada",
     ["Nous joindre", "Avis", "Avis de confidentialité", "Signaler un problème"]),
])
def test_the_footer_carries_the_canada_wordmark_and_the_site_links(world, clients, language, wordmark, alt, links):
    for client in (clients.anonymous, clients.officer_x):
        client = french(client) if language == "fr" else client
        html = page_text(client.get(reverse("privacy:notice")))
        bottom = footer(html)
        mark = img(bottom, "gc-wordmark")
        assert f"/static/vendor/gcds/{wordmark}" in mark and f'alt="{alt}"' in mark
        for url, text in zip((reverse("site_pages:contact"), reverse("site_pages:terms"), reverse("privacy:notice"),
                              reverse("site_pages:report-problem")), links, strict=True):
            assert f'<a href="{url}">{text}</a>' in bottom


def test_the_vendored_files_the_pages_use_are_there():
    from django.contrib.staticfiles import finders

    for name in ("vendor/gcds/tokens.css", "vendor/gcds/fonts.css", "vendor/gcds/rcmp-signature-en.svg",
                 "vendor/gcds/rcmp-signature-fr.svg", "vendor/gcds/wordmark-en.svg", "vendor/gcds/wordmark-fr.svg",
                 "css/gc.css", "js/error-summary.js"):
        assert finders.find(name), name
    fonts = open(finders.find("vendor/gcds/fonts.css")).read()
    for url in re.findall(r"url\(([^)]+)\)", fonts):
        assert url.endswith(".woff2") and finders.find(f"vendor/gcds/{url}"), url


@pytest.mark.parametrize("language, label", [("en", "Date modified:"), ("fr", f"Date de modification{NBSP}:")])
def test_every_page_shows_the_date_modified(world, clients, language, label):
    for client, url in ((clients.anonymous, reverse("login")), (clients.ipo, "/"),
                        (clients.officer_x, reverse("missions:bulletin-list")),
                        (clients.anonymous, reverse("site_pages:terms"))):
        client = french(client) if language == "fr" else client
        html = page_text(client.get(url))
        main = html[html.index("<main"):html.index("</main>")]
        assert f'<dt>{label}</dt> <dd><time datetime="2026-11-28">2026-11-28</time></dd>' in main, url


def test_the_date_modified_is_the_release_setting_or_else_the_last_commit(settings, monkeypatch):
    settings.ROSTER_RELEASE_DATE = "2027-01-05"
    assert release.release_date().isoformat() == "2027-01-05"
    settings.ROSTER_RELEASE_DATE = ""
    release._cached.cache_clear()
    monkeypatch.setattr(release, "_from_git", lambda: None)
    assert release.release_date() is None
    release._cached.cache_clear()


def test_the_date_modified_is_left_out_when_it_cannot_be_known_and_check_says_so(settings, monkeypatch, client):
    from site_pages import checks

    settings.ROSTER_RELEASE_DATE = ""
    release._cached.cache_clear()
    monkeypatch.setattr(release, "_from_git", lambda: None)
    try:
        assert 'id="date-modified"' not in page_text(client.get(reverse("site_pages:terms")))
        assert [w.id for w in checks.release_date_check(None)] == ["site_pages.W001"]
        settings.ROSTER_RELEASE_DATE = "28/11/2026"
        assert [e.id for e in checks.release_date_check(None)] == ["site_pages.E001"]
    finally:
        release._cached.cache_clear()


def test_the_last_commit_gives_the_date_in_a_git_checkout():
    # the tests run from the project's git checkout (CI clones it)
    assert release._from_git() is not None


@pytest.mark.parametrize("language, expected_home, expected_page", [
    ("en", "IPO staff home - Deployment roster - RCMP", "Job posting bulletins - Deployment roster - RCMP"),
    ("fr", "Accueil du personnel des OPI - Registre des déploiements - GRC",
     "Avis de poste - Registre des déploiements - GRC"),
])
def test_the_title_follows_the_gc_pattern(world, clients, language, expected_home, expected_page):
    client = french(clients.ipo) if language == "fr" else clients.ipo
    assert title(page_text(client.get("/"))) == expected_home
    assert title(page_text(client.get(reverse("missions:bulletin-list")))) == expected_page


def test_a_page_with_the_default_title_is_not_named_twice():
    from site_pages.templatetags.gc import gc_title

    assert gc_title("Deployment roster") == "Deployment roster - RCMP"
    assert gc_title("") == "Deployment roster - RCMP"
    assert gc_title("O'Brien") == "O&#x27;Brien - Deployment roster - RCMP"


def crumbs(html: str) -> list[tuple[str, str]]:
    navs = re.findall(r'<nav class="gc-breadcrumbs[^"]*" aria-label="Breadcrumb">(.*?)</nav>', html, re.S)
    assert len(navs) <= 1
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', navs[0]) if navs else []


def test_the_home_page_has_no_breadcrumbs_and_a_page_below_it_has(world, clients):
    assert crumbs(page_text(clients.ipo.get("/"))) == []
    assert crumbs(page_text(clients.ipo.get(reverse("missions:bulletin-list")))) == [("/", "Home")]


def test_a_deep_page_has_its_section_in_the_trail(world, clients):
    html = page_text(clients.officer_x.get(reverse("accounts:api-token-create")))
    assert crumbs(html) == [("/", "Home"), (reverse("accounts:api-tokens"), "API tokens")]
    html = page_text(clients.anonymous.get(reverse("site_pages:report-problem-thanks")))
    assert crumbs(html) == [("/", "Home"), (reverse("site_pages:report-problem"), "Report a problem")]


def test_the_trail_is_in_the_page_language(world, clients):
    html = page_text(french(clients.officer_x).get(reverse("accounts:api-token-create")))
    assert 'aria-label="Fil d\'Ariane"' in html
    trail = html[html.index("gc-breadcrumbs"):html.index("</nav>", html.index("gc-breadcrumbs"))]
    assert ("/", "Accueil") in re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail)


def test_a_page_that_draws_its_own_trail_keeps_it_alone(world, clients):
    """The officer page has its own trail (with the officer's name): the central one steps aside, so the page
    has one breadcrumb navigation, not two."""
    html = page_text(clients.ipo.get(reverse("agencies:officer-detail", args=[world.officer_x.pk])))
    assert html.count('aria-label="Breadcrumb"') == 1 and "gc-breadcrumbs" not in html


def test_the_trail_leads_each_role_to_the_pages_it_may_open(world):
    request = RequestFactory().get("/")
    for user, expected in ((world.coord_a, "Officers"), (world.user_x, "My profile"), (world.ipo, "Officers")):
        request.user = user
        request.resolver_match = get_resolver().resolve(reverse("roster:officer-history", args=[world.officer_x.pk]))
        request.path = reverse("roster:officer-history", args=[world.officer_x.pk])
        labels = [str(label) for label, _ in breadcrumbs.trail(request)]
        assert labels == ["Home", expected]


def test_every_route_of_the_trail_table_exists():
    names = set(iter_patterns())
    assert set(breadcrumbs.PARENTS) <= names, set(breadcrumbs.PARENTS) - names
    parents = {c.url_name for crumbs_ in breadcrumbs.PARENTS.values() for c in crumbs_}
    assert parents <= names, parents - names


def test_signed_in_pages_pass_the_layout_checks_in_the_demo(db, settings):
    """Every main page of the demo data renders with the furniture (a smoke test over real data)."""
    call_command("seed_demo", verbosity=0)
    for email, paths in {"ipo@demo.example": ["/", "/bulletins/", "/dashboard/", "/roster/", "/outbox/"],
                         "officer@demo.example": ["/", "/officers/me/", "/my/applications/"]}.items():
        from agencies.models import User

        client = client_for(User.objects.get(email=email))
        for path in paths:
            html = page_text(client.get(path))
            assert 'class="gc-signature"' in html and 'class="gc-wordmark"' in html and 'id="date-modified"' in html
            assert title(html).endswith(" - Deployment roster - RCMP")


def test_a_404_page_has_the_furniture_too(clients):
    response = clients.anonymous.get("/no-such-page/")
    html = page_text(response)
    assert response.status_code == 404 and 'class="gc-wordmark"' in html
    assert title(html) == "Page not found - Deployment roster - RCMP"


