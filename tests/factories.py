import datetime as dt
import functools
import io

import factory
from django.utils import timezone

from agencies.models import Agency, Clearance, Officer, Role, User
from missions.models import Bulletin, BulletinNotice, Mission
from roster.models import Application, ApplicationEvent, Deployment


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name_en = factory.Sequence(lambda n: f"Police Service {n}")
    name_fr = factory.Sequence(lambda n: f"Service de police {n}")
    kind = Agency.Kind.MUNICIPAL
    province = "ON"
    is_partner = True
    language = "en"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.OFFICER
    agency = factory.SubFactory(AgencyFactory)
    preferred_language = "en"
    password = factory.django.Password("pw-roster-test")


class IpoStaffFactory(UserFactory):
    role = Role.IPO_STAFF
    agency = None
    is_staff = True


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    agency = factory.SubFactory(AgencyFactory)
    badge_number = factory.Sequence(lambda n: f"B{n:05d}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Officer{n}")
    email = factory.Sequence(lambda n: f"officer{n}@example.test")
    rank = Officer.Rank.CONSTABLE
    gender = Officer.Gender.WOMAN
    date_of_birth = dt.date(1985, 5, 1)
    service_start = dt.date(2010, 1, 1)
    english_level = 4
    french_level = 2
    manual_driving = True
    firearms_qualified = True


class ClearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clearance

    officer = factory.SubFactory(OfficerFactory)
    kind = Clearance.Kind.MEDICAL
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=800))


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"MSN{n}")
    name_en = factory.Sequence(lambda n: f"Mission {n}")
    name_fr = factory.Sequence(lambda n: f"Mission {n} (fr)")
    kind = Mission.Kind.UN
    country_en = "Haiti"
    country_fr = "Haïti"
    language = "fr"
    armed = False
    authorized_strength = 10


class BulletinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bulletin

    # its own namespace, so a test that types a reference (JPB-2026-900) or asks the service for the next
    # one never collides with a factory-made bulletin, whatever the order the tests run in
    reference = factory.Sequence(lambda n: f"JPB-T-{n:05d}")
    mission = factory.SubFactory(MissionFactory)
    title_en = "Police adviser"
    title_fr = "Conseiller de police"
    description_en = "Advise the host-state police."
    description_fr = "Conseiller la police de l'État hôte."
    positions = 2
    duration_months = 12
    deployment_start = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=120))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    status = Bulletin.Status.PUBLISHED


class BulletinNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BulletinNotice

    bulletin = factory.SubFactory(BulletinFactory)
    agency = factory.SubFactory(AgencyFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    bulletin = factory.SubFactory(BulletinFactory)
    officer = factory.SubFactory(OfficerFactory)
    statement = "I would like to serve."
    status = Application.Status.SUBMITTED


class ApplicationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationEvent

    application = factory.SubFactory(ApplicationFactory)
    from_status = ""
    to_status = Application.Status.SUBMITTED


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    officer = factory.SubFactory(OfficerFactory)
    mission = factory.SubFactory(MissionFactory)
    role = "Police adviser"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    planned_end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=365))
    status = Deployment.Status.IN_MISSION


@functools.cache
def minimal_pdf_bytes() -> bytes:
    """A real one-page blank PDF written by pypdf: the smallest file the upload check accepts."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
