"""A phone number field is `type="tel"`, once (so a phone shows the number keypad), with
`inputmode="tel"`; on an officer's own profile it also offers their number (`autocomplete="tel"`)."""

import re

from django.urls import reverse


def phone_input(html: str) -> str:
    return re.search(r'<input[^>]*name="phone"[^>]*>', html).group(0)


def test_the_officers_own_phone(clients):
    tag = phone_input(clients.officer_x.get(reverse("agencies:my-profile-edit")).content.decode())
    assert re.findall(r'\btype="([^"]*)"', tag) == ["tel"]
    assert 'inputmode="tel"' in tag and 'autocomplete="tel"' in tag


def test_an_officers_phone_entered_by_a_coordinator(clients):
    tag = phone_input(clients.coord_a.get(reverse("agencies:officer-create")).content.decode())
    assert re.findall(r'\btype="([^"]*)"', tag) == ["tel"]
    assert 'inputmode="tel"' in tag and "autocomplete" not in tag  # not the coordinator's own number
