from django.urls import path

from . import views

urlpatterns = [
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/new/", views.session_create, name="session-create"),
    path("sessions/mine/", views.session_mine, name="session-mine"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/register/", views.session_register, name="session-register"),
    path("sessions/<int:pk>/results/", views.session_results, name="session-results"),
    path("sessions/registrations/<int:pk>/withdraw/", views.session_withdraw, name="session-withdraw"),
]
