from django.urls import include, path

app_name = "planning"

urlpatterns = [
    path("", include("planning.candidates.urls")),
    path("", include("planning.forecast.urls")),
    path("", include("planning.sessions.urls")),
    path("", include("planning.pool.urls")),
]
