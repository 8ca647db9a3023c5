"""The Planning menu leads each role to its planning pages, and only to pages it may open."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MENUS = {
    "ipo": ["planning:forecast", "planning:pool-list", "planning:session-list"],
    "coord_a": ["planning:forecast", "planning:pool-list", "planning:session-list"],
    "officer_x": ["planning:session-mine", "planning:pool-mine", "planning:session-list"],
}


@pytest.mark.parametrize("persona", sorted(MENUS))
def test_each_role_finds_its_planning_pages_in_the_menu(world, clients, persona):
    client = getattr(clients, persona)
    html = client.get(reverse("home")).content.decode()
    menu = html[html.index(">Planning</a>"):]
    menu = menu[:menu.index("</ul>")]
    links = [reverse(name) for name in MENUS[persona]]
    assert [link for link in links if f'href="{link}"' in menu] == links
    others = {reverse(n) for names in MENUS.values() for n in names} - set(links)
    assert not [link for link in others if f'href="{link}"' in menu]
    for link in links:
        assert client.get(link).status_code == 200, link
