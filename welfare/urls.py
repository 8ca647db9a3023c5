from django.urls import path

from . import views

app_name = "welfare"
urlpatterns = [
    path("", views.board, name="board"),
    path("check-in/", views.checkin, name="checkin"),
    path("deployments/<int:pk>/", views.deployment_checkins, name="deployment"),
    path("check-ins/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("missions/", views.missions, name="missions"),
    path("missions/<int:pk>/", views.mission_edit, name="mission-edit"),
    path("returns/", views.returns, name="returns"),
    path("returns/<int:pk>/", views.return_detail, name="return-detail"),
    path("returns/steps/<int:pk>/", views.step_record, name="step-record"),
    path("my-returns/", views.my_returns, name="my-returns"),
    path("questionnaire/<int:deployment_pk>/", views.questionnaire, name="questionnaire"),
    path("impact/", views.impact, name="impact"),
]
