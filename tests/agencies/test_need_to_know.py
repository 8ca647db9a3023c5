"""Need to know: the reference of a medical or psychological clearance is for IPO staff and the officer
concerned. A coordinator, even of the officer's own agency, reads its kind and valid-until date only, on
the officer's page and in the clearance form; they may renew the date, never read or change the reference.
The other kinds of clearance are unchanged: whoever sees the clearance reads its reference.

Officer X (agency A) holds a sensitive clearance and one of another kind, so that each test fails both
without the rule and with a rule that hides too much.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from agencies import services
from agencies.models import Clearance
from agencies.permissions import CONFIDENTIAL_CLEARANCE_KINDS, can_read_clearance_details
from agencies.selectors import clearance_reference_for
from tests import factories as f
from tests.pages import page_text

K = Clearance.Kind
# (sensitive, other): every sensitive kind, and every other one, in some pair
PAIRS = [(K.MEDICAL, K.PASSPORT), (K.PSYCHOLOGICAL, K.SECURITY), (K.MEDICAL, K.UN_ASSESSMENT),
         (K.PSYCHOLOGICAL, K.FIREARMS), (K.MEDICAL, K.PREDEPLOYMENT_TRAINING)]
REFERENCE = "MED-77Q-ZULU"
OPEN_REFERENCE = "PP-55K-ALFA"
VALID_UNTIL = dt.date(2031, 9, 14)
CONFIDENTIAL = 'data-testid="clearance-reference">Confidential</td>'


def cell(reference) -> str:
    return f'data-testid="clearance-reference">{reference}</td>'


@pytest.fixture(params=PAIRS, ids=lambda pair: "-".join(pair))
def held(world, request):
    sensitive, other = request.param
    world.sensitive = f.ClearanceFactory(officer=world.officer_x, kind=sensitive, reference=REFERENCE,
                                         valid_until=VALID_UNTIL)
    world.open = f.ClearanceFactory(officer=world.officer_x, kind=other, reference=OPEN_REFERENCE)
    return world


def get_page(client, url) -> tuple:
    response = client.get(url)
    assert response.status_code == 200
    return response, page_text(response)


def officer_page(client, world) -> str:
    return get_page(client, reverse("agencies:officer-detail", args=[world.officer_x.pk]))[1]


def edit_url(world, clearance) -> str:
    return reverse("agencies:clearance-edit", args=[world.officer_x.pk, clearance.pk])


def test_the_confidential_kinds_are_medical_and_psychological(world):
    assert CONFIDENTIAL_CLEARANCE_KINDS == {K.MEDICAL, K.PSYCHOLOGICAL}
    readable = {kind for kind in K.values
                if can_read_clearance_details(world.coord_a, Clearance(officer=world.officer_x, kind=kind))}
    assert readable == set(K.values) - {K.MEDICAL, K.PSYCHOLOGICAL}


# --- the predicate and the display value ------------------------------------------------------

def test_only_ipo_staff_and_the_officer_concerned_read_a_sensitive_reference(held):
    c = held.sensitive
    assert can_read_clearance_details(held.ipo, c) and can_read_clearance_details(held.user_x, c)
    for user in (held.coord_a, held.coord_b, held.user_y):
        assert not can_read_clearance_details(user, c)
    assert clearance_reference_for(held.user_x, c) == REFERENCE
    assert clearance_reference_for(held.coord_a, c) == "Confidential"
    # another kind: whoever sees the clearance reads its reference
    assert can_read_clearance_details(held.coord_a, held.open)
    assert clearance_reference_for(held.coord_a, held.open) == OPEN_REFERENCE


# --- the officer's page and the officer's own profile ------------------------------------------

def test_the_officer_page_shows_a_sensitive_reference_to_ipo_staff_and_the_officer_only(held, clients):
    for html in (officer_page(clients.ipo, held), officer_page(clients.officer_x, held),
                 get_page(clients.officer_x, reverse("agencies:my-profile"))[1]):
        assert cell(REFERENCE) in html and cell(OPEN_REFERENCE) in html and CONFIDENTIAL not in html
    html = officer_page(clients.coord_a, held)
    assert date_format(VALID_UNTIL, "DATE_FORMAT") in html  # the valid-until date stays
    assert CONFIDENTIAL in html
    assert REFERENCE not in html
    assert cell(OPEN_REFERENCE) in html


# --- the clearance form -----------------------------------------------------------------------

def test_the_clearance_form_never_shows_a_sensitive_reference_to_the_coordinator(held, clients):
    response, html = get_page(clients.ipo, edit_url(held, held.sensitive))
    assert "reference" in response.context["form"].fields and f'value="{REFERENCE}"' in html
    response, html = get_page(clients.coord_a, edit_url(held, held.sensitive))
    form = response.context["form"]
    assert "reference" not in form.fields and form.fields["kind"].disabled
    assert REFERENCE not in html
    assert f'value="{VALID_UNTIL:%Y-%m-%d}"' in html  # the date they may renew
    response, html = get_page(clients.coord_a, edit_url(held, held.open))
    assert f'value="{OPEN_REFERENCE}"' in html and not response.context["form"].fields["kind"].disabled


def test_the_coordinator_renews_a_sensitive_clearance_and_its_reference_and_kind_stay(held, clients):
    kind = held.sensitive.kind
    response = clients.coord_a.post(  # a forged kind and reference are ignored
        edit_url(held, held.sensitive), {"kind": K.PASSPORT, "valid_until": "2033-02-28", "reference": "FORGED"}
    )
    assert response.status_code == 302
    held.sensitive.refresh_from_db()
    assert (held.sensitive.kind, held.sensitive.valid_until, held.sensitive.reference) == (
        kind, dt.date(2033, 2, 28), REFERENCE)
    # IPO staff still change it
    response = clients.ipo.post(edit_url(held, held.sensitive),
                                {"kind": kind, "valid_until": "2033-02-28", "reference": "NEW-REF"})
    assert response.status_code == 302
    held.sensitive.refresh_from_db()
    assert held.sensitive.reference == "NEW-REF"


# --- the service, whatever a form sends -------------------------------------------------------

def test_the_service_keeps_the_stored_reference_when_a_coordinator_saves(held):
    c = held.sensitive
    c.reference = "OVERWRITTEN"
    c.valid_until = dt.date(2034, 1, 1)
    services.clearance_save(actor=held.coord_a, clearance=c)
    stored = Clearance.objects.get(pk=c.pk)
    assert (stored.reference, stored.valid_until) == (REFERENCE, dt.date(2034, 1, 1))
    held.open.reference = "CHANGED"
    services.clearance_save(actor=held.coord_a, clearance=held.open)
    assert Clearance.objects.get(pk=held.open.pk).reference == "CHANGED"


def test_a_coordinator_cannot_turn_a_sensitive_clearance_into_a_readable_kind(world):
    c = f.ClearanceFactory(officer=world.officer_x, kind=K.MEDICAL, reference=REFERENCE)
    c.kind = K.PASSPORT
    with pytest.raises(ValidationError) as exc:
        services.clearance_save(actor=world.coord_a, clearance=c)
    assert "kind" in exc.value.message_dict
    assert Clearance.objects.get(pk=c.pk).kind == K.MEDICAL


@pytest.mark.parametrize("kind", sorted(CONFIDENTIAL_CLEARANCE_KINDS))
def test_a_coordinator_records_a_sensitive_clearance_without_its_reference(world, clients, kind):
    url = reverse("agencies:clearance-create", args=[world.officer_x.pk])
    response = clients.coord_a.post(url, {"kind": kind, "valid_until": "2031-05-01", "reference": "X-1"})
    assert response.status_code == 200
    assert "reference" in response.context["form"].errors
    assert not world.officer_x.clearances.exists()
    response = clients.coord_a.post(url, {"kind": kind, "valid_until": "2031-05-01", "reference": ""})
    assert response.status_code == 302
    assert world.officer_x.clearances.get().valid_until == dt.date(2031, 5, 1)
