"""The REST API, version 1, under /api/v1/ (namespace "api"). Every route has a row in
tests/test_api_role_access.py and an operation in the schema (tests/api/test_schema.py)."""

from django.urls import include, path
from django.views.generic import RedirectView
from rest_framework.routers import SimpleRouter

from .views.applications import ApplicationViewSet
from .views.deployments import DeploymentRoleViewSet, DeploymentViewSet
from .views.misc import DashboardView, DocsView, IndexView, MeView, SchemaView
from .views.missions import BulletinViewSet, MissionViewSet, NoticeViewSet
from .views.officers import ClearanceViewSet, OfficerViewSet

app_name = "api"

router = SimpleRouter()
router.register("missions", MissionViewSet, basename="mission")
router.register("bulletins", BulletinViewSet, basename="bulletin")
router.register("notices", NoticeViewSet, basename="notice")
router.register("officers", OfficerViewSet, basename="officer")
router.register("applications", ApplicationViewSet, basename="application")
router.register("deployments", DeploymentViewSet, basename="deployment")
router.register("deployment-roles", DeploymentRoleViewSet, basename="deployment-role")

clearances = ClearanceViewSet.as_view({"get": "list", "post": "create"})
clearance = ClearanceViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:index", permanent=False, http_method_names=["get", "head"]),
         name="root"),
    path("v1/", IndexView.as_view(), name="index"),
    path("v1/schema/", SchemaView.as_view(), name="schema"),
    path("v1/docs/", DocsView.as_view(), name="docs"),
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/dashboard/", DashboardView.as_view(), name="dashboard"),
    path("v1/officers/<str:officer_pk>/clearances/", clearances, name="clearance-list"),
    path("v1/officers/<str:officer_pk>/clearances/<str:pk>/", clearance, name="clearance-detail"),
    path("v1/", include(router.urls)),
]
