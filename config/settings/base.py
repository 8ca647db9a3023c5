"""Settings shared by every environment, read from the environment (django-environ).

The embedded default needs no service: SQLite, Celery tasks run in-process after
commit, mail written to files under var/mail. Set DATABASE_URL, REDIS_URL and
EMAIL_URL for the production setup.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.logging import DJANGO_STRUCTLOG, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-embedded-default-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# "Date modified" at the bottom of every page: the release's date (YYYY-MM-DD), set by the build; empty,
# the date of the last git commit (site_pages.release).
ROSTER_RELEASE_DATE = env("ROSTER_RELEASE_DATE", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "auditlog",
    "audit",
    "agencies",
    "missions",
    "roster",
    "notifications",
    "accounts",
    "privacy",
    "welfare",
    "ledger",
    "planning",
    "site_pages",  # terms, contact, report a problem; breadcrumbs, page titles, date modified, error summary
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here (no CDN)
    "api",
    "ops",  # operations: /readyz, /metrics, Sentry, the operators' commands
    "config",  # manage.py serve (the web server with its embedded worker)
    "django_structlog",  # structured logs with a request id, carried into Celery tasks (config/logging.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-structlog's, with a request id for every log line of the request (and of the tasks it
    # enqueues); after WhiteNoise, so static files are not logged one by one.
    "config.logging.RequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "agencies.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.MfaMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "audit.middleware.AuditActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes last: it turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.session_limits",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# PostgreSQL connections are kept for a minute (CONN_MAX_AGE, in seconds; 0 closes each at the end
# of its request) rather than opened per request; one the server or the network dropped is
# noticed before a request uses it. SQLite (the embedded default, the tests) opens one per request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if _POSTGRES else 0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if _POSTGRES:
    # No JIT compilation: the app's queries are short, and compiling cost more than it saved
    # (209 of the 336 ms of the dashboard's expiring-clearances query).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in _options.get("options", ""):
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    # Server-side parameters, so psycopg prepares a query the fifth time a connection runs it: the
    # page's joins are then planned once per connection, not on every request (planning cost more
    # than running most of them). DATABASE_PREPARED_STATEMENTS=false turns it off, e.g. behind a
    # transaction-pooling PgBouncer without prepared-statement support.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        _options.setdefault("server_side_binding", True)
        _options.setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    if "TEST" not in DATABASES["default"]:
        DATABASES["default"]["TEST"] = {"NAME": ""}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out sign-in before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "America/Toronto"  # Ottawa time
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Application documents live outside any public root and are served by a view that
# applies the visibility rule.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT

# The bootstrap5 pack, themed with the GC Design System's tokens (static/css/gc.css); templates/bootstrap5/
# overrides its field template to mark required fields "(required)".
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Mail -------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG.get("EMAIL_BACKEND") == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Deployment roster <roster@ipo.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
MESSAGE_ID_DOMAIN = env("MESSAGE_ID_DOMAIN", default="roster.ipo.example")

# --- Celery -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a broker, tasks run in-process (after the commit that queued them).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Unacknowledged messages come back after this many seconds; no retry countdown
# may exceed it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# How often beat runs the outbox sweeper (tests use a second or two).
ROSTER_OUTBOX_SWEEP_SECONDS = env.float("ROSTER_OUTBOX_SWEEP_SECONDS", default=30.0)
# How often beat closes the bulletins past their closing time.
ROSTER_CLOSE_DUE_SECONDS = env.float("ROSTER_CLOSE_DUE_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "notifications.tasks.outbox_sweep", "schedule": ROSTER_OUTBOX_SWEEP_SECONDS},
    "bulletins-close-due": {"task": "missions.tasks.bulletins_close_due", "schedule": ROSTER_CLOSE_DUE_SECONDS},
    "bulletins-remind": {"task": "missions.tasks.bulletins_send_reminders", "schedule": 3600.0},
    # Anonymise the officers past the retention period (privacy app), once a night, Ottawa time.
    "privacy-retention": {"task": "privacy.tasks.retention_run", "schedule": crontab(hour=3, minute=30)},
    # Welfare: overdue check-in reminders and alerts, and the return plans of tours that ended (idempotent).
    "welfare-reminders": {"task": "welfare.tasks.checkin_reminders_send", "schedule": crontab(minute=20)},
    "welfare-return-plans": {"task": "welfare.tasks.return_plans_start", "schedule": crontab(minute=40)},
    # Planning (planning app), forecast:
    "forecast-alerts": {"task": "planning.forecast.tasks.forecast_alerts_send",
                        "schedule": crontab(day_of_week="mon", hour=7, minute=15)},
    # Planning, sessions and pool:
    # Operations (ops app): the content of old delivered messages deleted, once a night.
    "outbox-purge-bodies": {"task": "ops.tasks.outbox_purge_bodies", "schedule": crontab(hour=4, minute=10)},
}

# --- Program rules (domain-facts.md); each is a setting, never a buried constant ---
ROSTER = {
    "PROGRAM_CEILING": env.int("ROSTER_PROGRAM_CEILING", default=150),
    "WOMEN_TARGET_PERCENT": env.int("ROSTER_WOMEN_TARGET_PERCENT", default=30),
    "WOMEN_NOMINEE_TARGET_PERCENT": env.int("ROSTER_WOMEN_NOMINEE_TARGET_PERCENT", default=20),
    "REMINDER_DAYS_BEFORE_CLOSING": env.int("ROSTER_REMINDER_DAYS_BEFORE_CLOSING", default=3),
    "OUTBOX_REQUEUE_AFTER_SECONDS": env.int("ROSTER_OUTBOX_REQUEUE_AFTER_SECONDS", default=60),
    "OUTBOX_SENDING_STALE_SECONDS": env.int("ROSTER_OUTBOX_SENDING_STALE_SECONDS", default=300),
    "OUTBOX_MAX_ATTEMPTS": env.int("ROSTER_OUTBOX_MAX_ATTEMPTS", default=5),
    "OUTBOX_RETRY_BASE_SECONDS": env.int("ROSTER_OUTBOX_RETRY_BASE_SECONDS", default=30),
    # The content of delivered messages is deleted this many days after they were sent (ops: the
    # nightly "outbox-purge-bodies" job, manage.py outbox_purge_bodies); the delivery record stays.
    "OUTBOX_BODY_RETENTION_DAYS": env.int("ROSTER_OUTBOX_BODY_RETENTION_DAYS", default=90),
    "UN_MEDAL_CONSECUTIVE_DAYS": 90,
    "CPSM_ACCUMULATED_DAYS": 30,
    # The medal ceremony list (roster:medal-ceremony) covers returns over at most this many days.
    "MEDAL_CEREMONY_MAX_DAYS": env.int("ROSTER_MEDAL_CEREMONY_MAX_DAYS", default=366),
    "DOCUMENT_MAX_BYTES": env.int("ROSTER_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024),
    "DOCUMENTS_PER_APPLICATION": 3,
    "ENDING_SOON_DAYS": 90,
    "CLEARANCE_EXPIRY_WARNING_DAYS": 60,
    # Accounts and sessions (accounts app)
    "MFA_REQUIRED": env.bool("ROSTER_MFA_REQUIRED", default=True),
    "SESSION_IDLE_SECONDS": env.int("ROSTER_SESSION_IDLE_SECONDS", default=30 * 60),
    "SESSION_ABSOLUTE_SECONDS": env.int("ROSTER_SESSION_ABSOLUTE_SECONDS", default=12 * 3600),
    "SESSION_WARNING_SECONDS": env.int("ROSTER_SESSION_WARNING_SECONDS", default=120),
    "REAUTH_SECONDS": env.int("ROSTER_REAUTH_SECONDS", default=5 * 60),
    "RESET_RATE_PER_IP": env("ROSTER_RESET_RATE_PER_IP", default="10/h"),
    "RESET_RATE_PER_EMAIL": env("ROSTER_RESET_RATE_PER_EMAIL", default="3/h"),
    "MFA_RATE": env("ROSTER_MFA_RATE", default="10/5m"),
    # Privacy
    "RETENTION_YEARS": env.int("ROSTER_RETENTION_YEARS", default=2),
    # Where officers send Privacy Act access and correction requests (the privacy notice).
    "PRIVACY_CONTACT_EMAIL": env("ROSTER_PRIVACY_CONTACT_EMAIL", default="ipo-privacy@ipo.example"),
    # The "Contact us" page's address for questions to IPO, and how many "Report a problem" reports one
    # client address may send (site_pages).
    "CONTACT_EMAIL": env("ROSTER_CONTACT_EMAIL", default="ipo-roster@ipo.example"),
    "PROBLEM_REPORT_RATE": env("ROSTER_PROBLEM_REPORT_RATE", default="5/h"),
    # Welfare in mission (welfare app): an officer in mission checks in every this many days (a mission may
    # set its own interval); IPO staff are alerted when a check-in is overdue by WELFARE_ALERT_DAYS. Urgent
    # check-ins and alerts go to the IPO duty desk's address, in its language.
    "WELFARE_CHECKIN_DAYS": env.int("ROSTER_WELFARE_CHECKIN_DAYS", default=14),
    "WELFARE_ALERT_DAYS": env.int("ROSTER_WELFARE_ALERT_DAYS", default=7),
    "IPO_DUTY_EMAIL": env("ROSTER_IPO_DUTY_EMAIL", default="ipo-duty@ipo.example"),
    "IPO_DUTY_LANGUAGE": env("ROSTER_IPO_DUTY_LANGUAGE", default="en"),
    # Return plans start for tours ended at most this many days ago; the debriefing and the medical check
    # are due this many days after the tour (the psychological follow-ups at 3 and 6 months).
    "WELFARE_RETURN_PLAN_LOOKBACK_DAYS": env.int("ROSTER_WELFARE_RETURN_PLAN_LOOKBACK_DAYS", default=183),
    "RETURN_DEBRIEFING_DAYS": env.int("ROSTER_RETURN_DEBRIEFING_DAYS", default=14),
    "RETURN_MEDICAL_CHECK_DAYS": env.int("ROSTER_RETURN_MEDICAL_CHECK_DAYS", default=30),
    # The impact report shows a figure only when at least this many questionnaire answers back it.
    "IMPACT_MIN_ANSWERS": env.int("ROSTER_IMPACT_MIN_ANSWERS", default=5),
    # Cost recovery (ledger app): the federal fiscal year starts in April; partner agencies claim
    # per period of this many months (3: a quarter), counted from the start of the fiscal year.
    "FISCAL_YEAR_START_MONTH": env.int("ROSTER_FISCAL_YEAR_START_MONTH", default=4),
    "CLAIM_PERIOD_MONTHS": env.int("ROSTER_CLAIM_PERIOD_MONTHS", default=3),
    "CLAIM_DOCUMENTS_PER_CLAIM": env.int("ROSTER_CLAIM_DOCUMENTS_PER_CLAIM", default=5),
    # Where new claims are announced; empty: every active IPO staff login.
    "LEDGER_EMAIL": env("ROSTER_LEDGER_EMAIL", default=""),
    # The public "join the program" form (accounts.partners): requests per client address, and
    # how long a form may be filled in (too fast is a robot, too old must be reloaded).
    "PARTNER_REQUEST_RATE": env("ROSTER_PARTNER_REQUEST_RATE", default="5/h"),
    "PARTNER_FORM_MIN_SECONDS": env.int("ROSTER_PARTNER_FORM_MIN_SECONDS", default=3),
    "PARTNER_FORM_MAX_SECONDS": env.int("ROSTER_PARTNER_FORM_MAX_SECONDS", default=2 * 3600),
    # REST API (api app): requests allowed per API token (or signed-in session), and per address for
    # callers without one; "<n>/<s|min|h|day>".
    "API_RATE": env("ROSTER_API_RATE", default="300/min"),
    "API_ANON_RATE": env("ROSTER_API_ANON_RATE", default="60/min"),
    # Planning (planning app), who could go:
    # The planning panels of the home page and the dashboard (the forecast's alerts, "women eligible but
    # not applying") are worked out at most this often (seconds); their own pages are always current.
    "PLANNING_PANEL_CACHE_SECONDS": env.int("ROSTER_PLANNING_PANEL_CACHE_SECONDS", default=600),
    # Figures over the whole history (the dashboard) are kept until a change is recorded, and at most
    # this long (roster/freshness.py); 0 works them out on every view.
    "FIGURES_CACHE_SECONDS": env.int("ROSTER_FIGURES_CACHE_SECONDS", default=300),
    # An open bulletin is flagged "women eligible but not applying" when at least this many eligible
    # women make at least this % of its eligible officers, it has at least this many applicants, and the
    # share of women among them is below this % of their share among the eligible.
    "CANDIDATES_FLAG_MIN_ELIGIBLE_WOMEN": env.int("ROSTER_CANDIDATES_FLAG_MIN_ELIGIBLE_WOMEN", default=5),
    "CANDIDATES_FLAG_ELIGIBLE_SHARE": env.int("ROSTER_CANDIDATES_FLAG_ELIGIBLE_SHARE", default=20),
    "CANDIDATES_FLAG_MIN_APPLICANTS": env.int("ROSTER_CANDIDATES_FLAG_MIN_APPLICANTS", default=3),
    "CANDIDATES_FLAG_APPLICANT_RATIO": env.int("ROSTER_CANDIDATES_FLAG_APPLICANT_RATIO", default=50),
    # Planning, forecast:
    # The strength forecast covers this many months; a mission is flagged when its forecast falls below
    # FORECAST_ALERT_SHARE_PERCENT of its authorised strength within FORECAST_ALERT_HORIZON_MONTHS. The
    # lead time to post a rotation bulletin is measured from past bulletins (publication to first
    # arrival); with fewer than FORECAST_LEAD_TIME_MIN_SAMPLES of them, FORECAST_LEAD_TIME_DAYS. Nominees:
    # applications put forward to IPO in the last FORECAST_NOMINEE_MONTHS months.
    "FORECAST_MONTHS": env.int("ROSTER_FORECAST_MONTHS", default=12),
    "FORECAST_ALERT_SHARE_PERCENT": env.int("ROSTER_FORECAST_ALERT_SHARE_PERCENT", default=80),
    "FORECAST_ALERT_HORIZON_MONTHS": env.int("ROSTER_FORECAST_ALERT_HORIZON_MONTHS", default=6),
    "FORECAST_LEAD_TIME_DAYS": env.int("ROSTER_FORECAST_LEAD_TIME_DAYS", default=120),
    "FORECAST_LEAD_TIME_MIN_SAMPLES": env.int("ROSTER_FORECAST_LEAD_TIME_MIN_SAMPLES", default=5),
    "FORECAST_NOMINEE_MONTHS": env.int("ROSTER_FORECAST_NOMINEE_MONTHS", default=12),
    # Planning, sessions and pool:
    # A pass on every component of a SAAT makes the UN assessment clearance valid this many months from the
    # session's last day.
    "UN_ASSESSMENT_VALID_MONTHS": env.int("ROSTER_UN_ASSESSMENT_VALID_MONTHS", default=24),
}

# --- REST API (api app: Django REST framework, drf-spectacular) ---------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedIn"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "NUM_PROXIES": 0,  # the throttle's client address is the connection's, never X-Forwarded-For
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": _("Deployment roster API"),
    "DESCRIPTION": _(
        "The roster's data and actions for partner agencies' systems and IPO's reporting, on the same rules as "
        "the pages: each caller sees what their role may see (IPO staff everything, a coordinator their agency, "
        "an officer themself); a record you may not see answers 404, an action you may not take 403. "
        "Authenticate with a personal API token (Authorization: Bearer …), made on the API tokens page of your "
        "account. Lists are paged by cursor (follow “next”); officers, applications and deployments take "
        "updated_since for incremental sync. Errors have a detail and a code, and invalid fields their "
        "messages under “fields”, in the language of Accept-Language (English or French)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "persistAuthorization": False},
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatus": "roster.models.ApplicationStatus",
        "DeploymentStatus": "roster.models.Deployment.Status",
        "RepatriationReason": "roster.models.Deployment.RepatriationReason",
        "BulletinStatus": "missions.models.Bulletin.Status",
        "MissionStatus": "missions.models.Mission.Status",
        "MissionKind": "missions.models.Mission.Kind",
        "AgencyKind": "agencies.models.Agency.Kind",
        "Province": "agencies.models.Province",
        "Role": "agencies.models.Role",
        "Language": "agencies.models.Language",
        "LanguageLevel": "agencies.models.LanguageLevel",
        "Rank": "agencies.models.Officer.Rank",
        "Gender": "agencies.models.Officer.Gender",
        "ClearanceKind": "agencies.models.Clearance.Kind",
    },
}

# --- Accounts: lockout (django-axes), MFA (django-otp), sessions, rate limits -------------------
AXES_FAILURE_LIMIT = env.int("ROSTER_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ROSTER_LOGIN_LOCKOUT_MINUTES", default=15))
# Counted per account and, separately, per client address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Deployment roster")
# A session lives at most ROSTER_SESSION_ABSOLUTE_SECONDS; the idle limit is checked per request.
SESSION_COOKIE_AGE = ROSTER["SESSION_ABSOLUTE_SECONDS"]
# With Redis, sessions are read from the cache and written through to the database, so a signed-in
# request reads no session row (issue 10); one missing from the cache is read from the database.
# Without Redis the cache is each process's own memory, where a session ended in one process would
# live on in another's: sessions then stay in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
SESSION_COOKIE_SAMESITE = "Lax"
# Rate limits (password reset, MFA) count in the cache: Redis when there is one, so every web
# process shares the counts.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL", default=REDIS_URL)}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}
# The audit trail: django-auditlog writes change entries to audit.AuditEntry.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# auditlog's own migrations would create its stock table beside ours (they ignore the swap);
# with none, nothing of it reaches the database.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_STORE_JSON_CHANGES = True

# Content Security Policy (django-csp): everything is served by the app itself; no inline
# script anywhere. Inline style attributes remain for progress bars and SVG charts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logs (config/logging.py; README, "Operations", "Logs") ----------------------------------------
# LOG_FORMAT: json (one object per line; the default here and in production) or console (readable
# key=value lines; `make run`'s default, see local.py). LOG_LEVEL: the root level.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
vars().update(DJANGO_STRUCTLOG)  # DJANGO_STRUCTLOG_CELERY_ENABLED and the rest

# --- Operations (ops app): metrics and error reporting ----------------------------------------------
# Prometheus metrics at /metrics (django-prometheus): requests, latency, database queries, the outbox,
# the Celery queue and task durations. Only the listed client addresses (networks allowed) or a
# caller presenting ROSTER_METRICS_TOKEN as a bearer token get them; anyone else gets a 404.
ROSTER_METRICS_ENABLED = env.bool("ROSTER_METRICS_ENABLED", default=True)
# How many reverse proxies stand in front of the app and append to X-Forwarded-For (config/wsgi.py):
# the client's address is then taken from that header, that many hops from its end, so the sign-in
# lockout, the rate limits, the audit trail and the metrics rule see the real client and not the
# proxy. 0 (the default) trusts no header: set it only when the app is reached through the proxies
# alone (docker-compose.yml: 1, Caddy).
TRUSTED_PROXY_HOPS = env.int("ROSTER_TRUSTED_PROXIES", default=0)
ROSTER_METRICS_ALLOWED_IPS = env.list("ROSTER_METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
ROSTER_METRICS_TOKEN = env("ROSTER_METRICS_TOKEN", default="")
if ROSTER_METRICS_ENABLED:
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole request
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",  # last
    ]
# Error reports to Sentry, only when SENTRY_DSN is set, with personal data scrubbed (ops/sentry.py).
from ops.sentry import init_sentry  # noqa: E402

init_sentry(
    dsn=env("SENTRY_DSN", default=""),
    environment=env("SENTRY_ENVIRONMENT", default=""),
    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    release=env("SENTRY_RELEASE", default=""),
)
