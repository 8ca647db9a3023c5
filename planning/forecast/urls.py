from django.urls import path

from . import views

urlpatterns = [
    path("forecast/", views.forecast_page, name="forecast"),
    path("forecast/missions/<int:pk>/", views.forecast_mission, name="forecast-mission"),
]
