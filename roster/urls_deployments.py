from django.urls import path

from .views import deployments as views

urlpatterns = [
    path("applications/<int:application_pk>/deploy/", views.deployment_create, name="deployment-create"),
    path("deployments/<int:pk>/", views.deployment_detail, name="deployment-detail"),
    path("deployments/<int:pk>/start/", views.deployment_start, name="deployment-start"),
    path("deployments/<int:pk>/extend/", views.deployment_extend, name="deployment-extend"),
    path("deployments/<int:pk>/repatriate/", views.deployment_repatriate, name="deployment-repatriate"),
    path("deployments/<int:pk>/complete/", views.deployment_complete, name="deployment-complete"),
    path("deployments/<int:pk>/cancel/", views.deployment_cancel, name="deployment-cancel"),
    path("roster/", views.roster, name="roster"),
]
