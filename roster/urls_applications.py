from django.urls import path

from .views import applications as views

urlpatterns = [
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/endorse/", views.application_endorse, name="application-endorse"),
    path("applications/<int:pk>/decline/", views.application_decline, name="application-decline"),
    path("applications/<int:pk>/transition/", views.application_transition, name="application-transition"),
    path(
        "applications/<int:pk>/documents/<int:doc_pk>/", views.application_document, name="application-document"
    ),
    path("bulletins/<int:bulletin_pk>/apply/", views.application_create, name="application-create"),
    path("bulletins/<int:bulletin_pk>/nominate/", views.application_nominate, name="application-nominate"),
    path("bulletins/<int:bulletin_pk>/pipeline/", views.bulletin_pipeline, name="bulletin-pipeline"),
    path(
        "bulletins/<int:bulletin_pk>/pipeline/action/",
        views.bulletin_pipeline_action,
        name="bulletin-pipeline-action",
    ),
    path("my/applications/", views.my_applications, name="my-applications"),
    path("agency/applications/", views.agency_applications, name="agency-applications"),
]
