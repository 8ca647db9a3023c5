from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.notice, name="notice"),
    path("my-record.zip", views.my_record, name="my-record"),
    path("officers/<int:pk>/record.zip", views.officer_record, name="officer-record"),
    path("retention/", views.retention, name="retention"),
    path("retention/<int:pk>/anonymise/", views.retention_anonymise, name="retention-anonymise"),
]
