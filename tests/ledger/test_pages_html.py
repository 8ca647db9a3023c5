"""The ledger's, the partner pages' and the medal ceremony's HTML is well formed (elements closed in
order, unique ids, aria-labelledby pointing at ids, a lang), for each role that reads them."""

import pytest
from django.urls import reverse

from agencies.models import PartnerRequest
from tests.pages import page_text
from tests.privacy.test_pages_html import check

from .conftest import Q1, Q2, file_claim, move, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(tours):
    w = tours
    w.pending = file_claim(w.tour_x, w.coord_a, period_start=Q1, documents=[pdf()])
    w.approved = move(file_claim(w.tour_x, w.coord_a, period_start=Q2), "approved", w.ipo)
    w.request = PartnerRequest.objects.create(name="Lakeview Police", kind="regional", province="ON",
                                              contact_name="S W", contact_email="sw@example.test",
                                              officers_interested=4, message="Hello")
    return w


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pages_are_well_formed(pages, clients, language):
    w = pages
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    urls = {
        "ipo": [reverse("ledger:claims"), reverse("ledger:summary"), reverse("ledger:summary") + "?by=year",
                reverse("ledger:claim-detail", args=[w.pending.pk]),
                reverse("ledger:claim-detail", args=[w.approved.pk]),
                reverse("partners:request-list"), reverse("partners:request-detail", args=[w.request.pk]),
                reverse("roster:medal-ceremony")],
        "coord_a": [reverse("ledger:claims"), reverse("ledger:summary"), reverse("ledger:claimable"),
                    reverse("ledger:claim-create", args=[w.tour_x.pk]),
                    reverse("ledger:claim-detail", args=[w.pending.pk]), reverse("roster:medal-ceremony")],
        "anonymous": [reverse("partners:join"), reverse("partners:join-thanks")],
    }
    for persona, paths in urls.items():
        client = getattr(clients, persona)
        for path in paths:
            response = client.get(path, **headers)
            assert response.status_code == 200, path
            check(page_text(response))
