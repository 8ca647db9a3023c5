
from .roles.urls import urlpatterns as roles
from .urls_applications import urlpatterns as applications
from .urls_deployments import urlpatterns as deployments
from .urls_reports import urlpatterns as reports

app_name = "roster"
urlpatterns = [
    *applications,
    *deployments,
    *reports,
    *roles,
]
