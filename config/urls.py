from django.contrib import admin
from django.urls import include, path

from agencies.views import set_language
from config.views import favicon, healthz
from ops.views import metrics, readyz
from roster.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("officers/", include("agencies.urls")),
    path("privacy/", include("privacy.urls")),
    path("welfare/", include("welfare.urls")),
    path("ledger/", include("ledger.urls")),
    path("planning/", include("planning.urls")),
    path("partners/", include("accounts.partners.urls")),
    path("", include("missions.urls")),
    path("", include("notifications.urls")),
    path("", include("roster.urls")),
    path("", include("site_pages.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
