from datetime import date

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.choices import ChoiceLabels

from .validators import validate_phone, validate_plausible_date


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")


class Province(models.TextChoices):
    AB = "AB", _("Alberta")
    BC = "BC", _("British Columbia")
    MB = "MB", _("Manitoba")
    NB = "NB", _("New Brunswick")
    NL = "NL", _("Newfoundland and Labrador")
    NS = "NS", _("Nova Scotia")
    NT = "NT", _("Northwest Territories")
    NU = "NU", _("Nunavut")
    ON = "ON", _("Ontario")
    PE = "PE", _("Prince Edward Island")
    QC = "QC", _("Quebec")
    SK = "SK", _("Saskatchewan")
    YT = "YT", _("Yukon")
    NATIONAL = "CA", _("National")


def localized(obj, field):
    """The French or English variant of a bilingual field, in the active language."""
    lang = (get_language() or "en")[:2]
    value = getattr(obj, f"{field}_{lang}", "") if lang in ("en", "fr") else ""
    return value or getattr(obj, f"{field}_en", "") or getattr(obj, f"{field}_fr", "")


class Agency(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        RCMP = "rcmp", _("RCMP")
        PROVINCIAL = "provincial", _("Provincial")
        REGIONAL = "regional", _("Regional")
        MUNICIPAL = "municipal", _("Municipal")
        INDIGENOUS = "indigenous", _("Indigenous")

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    province = models.CharField(_("province or territory"), max_length=2, choices=Province.choices)
    is_partner = models.BooleanField(_("partner agency"), default=True)
    partner_since = models.DateField(_("partner since"), null=True, blank=True)
    language = models.CharField(_("working language"), max_length=2, choices=Language.choices, default="en")
    mailbox = models.EmailField(
        _("agency mailbox"), blank=True, help_text=_("Also receives bulletin notices, if set.")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Role(models.TextChoices):
    IPO_STAFF = "ipo_staff", _("IPO staff")
    COORDINATOR = "coordinator", _("Agency coordinator")
    OFFICER = "officer", _("Officer")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.IPO_STAFF)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(ChoiceLabels, AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.EN
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_accounts", _("Can change other logins' passwords, roles, agencies and access"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="ipo_staff") | Q(agency__isnull=False),
                name="user_agency_required_for_agency_roles",
                violation_error_message=_("Coordinators and officers belong to an agency."),
            ),
        ]

    def __str__(self):
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email

    @property
    def is_ipo_staff(self):
        return self.is_authenticated and self.role == Role.IPO_STAFF

    def get_session_auth_hash(self):
        """Sessions are bound to the password and to the privileges: a change of role, agency,
        staff, superuser or active flag ends every session the login had (Django checks this hash
        on each request)."""
        from django.utils.crypto import salted_hmac

        privileges = "|".join(
            str(v) for v in (self.password, self.role, self.agency_id, self.is_staff, self.is_superuser, self.is_active)
        )
        return salted_hmac(
            "agencies.User.get_session_auth_hash", privileges, algorithm="sha256"
        ).hexdigest()

    def get_additional_data(self):
        officer_id = Officer.objects.filter(user_id=self.pk).values_list("pk", flat=True).first() if self.pk else None
        return {"user_id": self.pk, "officer_id": officer_id}

    @property
    def is_coordinator(self):
        return self.is_authenticated and self.role == Role.COORDINATOR

    @property
    def is_officer(self):
        return self.is_authenticated and self.role == Role.OFFICER


class LanguageLevel(models.IntegerChoices):
    NONE = 0, _("None")
    BASIC = 1, _("Basic")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")
    FLUENT = 4, _("Fluent")


class Officer(ChoiceLabels, models.Model):
    class Rank(models.TextChoices):
        CONSTABLE = "cst", _("Constable")
        CORPORAL = "cpl", _("Corporal")
        SERGEANT = "sgt", _("Sergeant")
        STAFF_SERGEANT = "ssgt", _("Staff Sergeant")
        INSPECTOR = "insp", _("Inspector")
        SUPERINTENDENT = "supt", _("Superintendent")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        ANOTHER = "another", _("Another gender")
        UNDISCLOSED = "undisclosed", _("Prefers not to say")

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="officers")
    user = models.OneToOneField(
        User, verbose_name=_("login"), null=True, blank=True, on_delete=models.SET_NULL, related_name="officer"
    )
    badge_number = models.CharField(_("badge number"), max_length=30)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    rank = models.CharField(_("rank"), max_length=10, choices=Rank.choices, default=Rank.CONSTABLE)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_plausible_date]
    )
    service_start = models.DateField(
        _("police service start"), null=True, blank=True, validators=[validate_plausible_date]
    )
    english_level = models.PositiveSmallIntegerField(
        _("English proficiency"), choices=LanguageLevel.choices, null=True, blank=True
    )
    french_level = models.PositiveSmallIntegerField(
        _("French proficiency"), choices=LanguageLevel.choices, null=True, blank=True
    )
    manual_driving = models.BooleanField(_("drives a manual transmission"), null=True, blank=True)
    firearms_qualified = models.BooleanField(_("firearms qualification"), null=True, blank=True)
    # The language the roster writes to the officer in, before they have a login (the invitation, and
    # the emails to their profile's address); once they sign in, their login's choice. Empty: the
    # agency's working language (`writing_language`).
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Set when the retention period ended and the personal data was erased (privacy app).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "badge_number"],
                name="officer_badge_unique_in_agency",
                violation_error_message=_("This badge number is already used in this agency."),
            ),
        ]
        indexes = [
            # the officer list's order, with the id as tie-break (keyset pagination): every officer
            # (IPO staff), and one agency's (a coordinator, or the agency filter)
            models.Index(fields=["last_name", "first_name", "id"], name="officer_name_id"),
            models.Index(fields=["agency", "last_name", "first_name", "id"], name="officer_agency_name_id"),
            # incremental sync (?updated_since= in the API): what changed after a moment, oldest first
            models.Index(fields=["updated_at", "id"], name="officer_updated_id"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_woman(self):
        return self.gender == self.Gender.WOMAN

    def get_additional_data(self):
        return {"officer_id": self.pk}

    def years_of_service(self, on: date | None = None) -> int | None:
        if not self.service_start:
            return None
        return _whole_years(self.service_start, on or timezone.localdate())

    def age(self, on: date | None = None) -> int | None:
        if not self.date_of_birth:
            return None
        return _whole_years(self.date_of_birth, on or timezone.localdate())

    @property
    def writing_language(self) -> str:
        """The language the roster writes to the officer in (their login's choice is the login's)."""
        return self.preferred_language or self.agency.language

    def language_level(self, language: str):
        return {"en": self.english_level, "fr": self.french_level}.get(language)


def _whole_years(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


class Clearance(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical")
        PSYCHOLOGICAL = "psychological", _("Psychological")
        SECURITY = "security", _("Security clearance")
        UN_ASSESSMENT = "un_assessment", _("UN assessment (SAAT)")
        PASSPORT = "passport", _("Passport")
        FIREARMS = "firearms", _("Firearms")
        PREDEPLOYMENT_TRAINING = "predeployment_training", _("Pre-deployment training")

    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="clearances"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    valid_until = models.DateField(_("valid until"), validators=[validate_plausible_date])
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("clearance")
        verbose_name_plural = _("clearances")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "kind"],
                name="clearance_one_per_kind",
                violation_error_message=_("This officer already has a clearance of this kind."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.valid_until})"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}

    def is_valid_on(self, day: date) -> bool:
        return self.valid_until >= day


class PartnerRequest(ChoiceLabels, models.Model):
    """A police service asking to join the program as a partner agency (the public "join" page).
    IPO staff approve it (the agency is created and its first coordinator invited:
    accounts.partners.services) or decline it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    # The RCMP is a founding member of the program, not a service that asks to join.
    KIND_CHOICES = [(value, label) for value, label in Agency.Kind.choices if value != Agency.Kind.RCMP]

    name = models.CharField(_("name of the police service"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES)
    province = models.CharField(_("province or territory"), max_length=2, choices=Province.choices)
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, validators=[validate_phone])
    # The language the request was made in: the contact's emails are written in it.
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    officers_interested = models.PositiveIntegerField(_("officers who might be interested"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("partner request")
        verbose_name_plural = _("partner requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""),
                name="partner_request_declined_has_reason",
                violation_error_message=_("A declined request has a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(agency__isnull=False),
                name="partner_request_approved_has_agency",
                violation_error_message=_("An approved request names the agency it created."),
            ),
        ]
        indexes = [
            # the review list, newest first (keyset pagination), all or one status
            models.Index(fields=["created_at", "id"], name="partner_request_created_id"),
            models.Index(fields=["status", "created_at", "id"], name="partner_request_status_id"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
