"""Forms the GC way: an error summary at the top of any page whose form has errors, each error a link to its
field; the page's title starts with "Error:"; required fields say "(required)" in their label."""

import re

import pytest
from django.urls import reverse

from tests.pages import page_text

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def french(client):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    return client


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def summary(html: str) -> str:
    start = html.index('id="error-summary"')
    return html[html.rindex("<section", 0, start):html.index("</section>", start)]


def links(block: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="#([^"]+)" data-error-target="[^"]+">([^<]+)</a>', block)


def test_a_form_with_errors_gets_a_summary_linking_to_each_field_and_an_error_title(client):
    response = client.post(reverse("site_pages:report-problem"), {"description": "", "email": "not-an-address"})
    assert response.status_code == 400
    html = page_text(response)
    block = summary(html)
    assert 'tabindex="-1"' in block and 'role="alert"' in block and "There was a problem" in block
    assert links(block) == [
        ("id_description", "What went wrong?: This field is required."),
        ("id_email", "Your email address (optional): Enter a valid email address."),
    ]
    # each link's target is the field itself
    assert 'id="id_description"' in html and 'id="id_email"' in html
    assert title(html) == "Error: Report a problem - Deployment roster - RCMP"
    # the summary comes first in the main content, before the page's heading
    main = html[html.index("<main"):]
    assert main.index('id="error-summary"') < main.index("<h1")


def test_the_summary_and_the_title_prefix_in_french(client):
    html = page_text(french(client).post(reverse("site_pages:report-problem"), {"description": ""}))
    assert title(html).startswith(f"Erreur{NBSP}: ")
    block = summary(html)
    assert "Un problème est survenu" in block
    assert links(block)[0][0] == "id_description"
    assert f"{NBSP}: " in links(block)[0][1]


def test_a_page_without_errors_has_no_summary_and_a_plain_title(client):
    html = page_text(client.get(reverse("site_pages:report-problem")))
    assert "error-summary" not in html.replace("error-summary.js", "")
    assert not title(html).startswith("Error")


def test_an_error_of_the_whole_form_links_to_its_first_field(client, world):
    html = page_text(client.post(reverse("login"), {"username": "coord-a@example.test", "password": "wrong"}))
    found = links(summary(html))
    assert len(found) == 1 and found[0][0] == "id_username" and "correct email address and password" in found[0][1]
    assert title(html).startswith("Error: ")


def test_any_view_s_form_gets_the_summary_without_its_template_asking(clients, world):
    """The bulletin form (a crispy form of another app): the summary comes from base.html alone."""
    html = page_text(clients.ipo.post(reverse("missions:bulletin-create"), {"title_en": "Adviser"}))
    targets = [target for target, _ in links(summary(html))]
    assert "id_mission" in targets and "id_deployment_start" in targets
    assert title(html).startswith("Error: ")


def test_required_fields_say_so_in_words_and_optional_ones_carry_no_asterisk(clients, world):
    html = page_text(clients.ipo.get(reverse("missions:bulletin-create")))
    label = re.search(r'<label\s+for="id_mission"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert " ".join(label.split()) == 'Mission <span class="gc-required">(required)</span>'
    optional = re.search(r'<label\s+for="id_reference"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert "(required)" not in optional
    assert "asteriskField" not in html and "*</span>" not in html


def test_required_fields_say_so_in_french(clients, world):
    html = page_text(french(clients.ipo).get(reverse("missions:bulletin-create")))
    label = re.search(r'<label\s+for="id_mission"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert '<span class="gc-required">(obligatoire)</span>' in label


def test_the_summary_lists_the_errors_of_validated_formsets_too():
    from django import forms
    from django.forms import formset_factory
    from django.template import Context, Template

    class Row(forms.Form):
        name = forms.CharField(label="Name")

    rows = formset_factory(Row, extra=0)({"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-name": ""})
    never_validated = Row({"name": ""}, prefix="other")
    html = Template('{% load gc %}{% page_form_errors as e %}{% for x in e %}[{{ x.target }}|{{ x.text }}]{% endfor %}')
    context = Context({"rows": rows, "unbound": Row(), "never_validated": never_validated})
    assert html.render(context) == ""  # nothing validated yet: the summary validates nothing itself
    rows.is_valid()  # as the view does
    assert html.render(context) == "[id_form-0-name|Name: This field is required.]"
    assert never_validated._errors is None


def test_a_filter_with_a_bad_value_gets_the_summary_too(clients, world):
    html = page_text(clients.ipo.get(reverse("missions:bulletin-list"), {"status": "bogus"}))
    found = links(summary(html))
    assert [target for target, _ in found] == ["id_status"] and found[0][1].startswith("Status: ")
    assert 'id="id_status"' in html
