from django.urls import path

from . import views

app_name = "site_pages"
urlpatterns = [
    path("terms/", views.terms, name="terms"),
    path("contact/", views.contact, name="contact"),
    path("report-a-problem/", views.report_problem, name="report-problem"),
    path("report-a-problem/thanks/", views.report_problem_thanks, name="report-problem-thanks"),
]
