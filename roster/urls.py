from django.urls import path

from .urls_applications import urlpatterns as applications
from .urls_deployments import urlpatterns as deployments
from .urls_reports import urlpatterns as reports
from .views import accounts

app_name = "roster"
urlpatterns = [
    path("officers/<int:officer_pk>/invite/", accounts.officer_invite, name="officer-invite"),
    *applications,
    *deployments,
    *reports,
]
