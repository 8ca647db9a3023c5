from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("", views.officer_list, name="officer-list"),
    path("new/", views.officer_create, name="officer-create"),
    path("me/", views.my_profile, name="my-profile"),
    path("me/edit/", views.my_profile_edit, name="my-profile-edit"),
    path("<int:pk>/", views.officer_detail, name="officer-detail"),
    path("<int:pk>/edit/", views.officer_edit, name="officer-edit"),
    path("<int:pk>/clearances/new/", views.clearance_create, name="clearance-create"),
    path("<int:pk>/clearances/<int:clearance_pk>/edit/", views.clearance_edit, name="clearance-edit"),
    path("<int:pk>/clearances/<int:clearance_pk>/delete/", views.clearance_delete, name="clearance-delete"),
]
