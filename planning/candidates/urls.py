from django.urls import path

from . import views

urlpatterns = [
    path("candidates/", views.overview, name="candidates-overview"),
    path("candidates/bulletins/<int:pk>/", views.bulletin_candidates, name="candidates-bulletin"),
    path("candidates/bulletins/<int:pk>/agency/", views.agency_candidates, name="candidates-agency"),
    path("candidates/bulletins/<int:pk>/nominate/", views.nominate, name="candidates-nominate"),
]
