import pytest

from tests import factories as f


@pytest.fixture
def context():
    """The template context of a "bulletin_published" message: a bulletin and an agency (whose name
    is in each language's text)."""
    agency = f.AgencyFactory(slug="outbox-agency", name_en="Outbox Police", name_fr="Police Outbox")
    return {"bulletin": f.BulletinFactory(), "agency": agency}
