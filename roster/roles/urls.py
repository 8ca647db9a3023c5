from django.urls import path

from . import views

urlpatterns = [
    path("deployment-roles/", views.deployment_role_list, name="deployment-role-list"),
    path("deployment-roles/new/", views.deployment_role_create, name="deployment-role-create"),
    path("deployment-roles/<int:pk>/edit/", views.deployment_role_edit, name="deployment-role-edit"),
    path("deployment-roles/<int:pk>/active/", views.deployment_role_active, name="deployment-role-active"),
]
