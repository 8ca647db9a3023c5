from django.urls import path

from . import feeds, views

app_name = "missions"
urlpatterns = [
    path("missions/", views.mission_list, name="mission-list"),
    path("missions/new/", views.mission_create, name="mission-create"),
    path("missions/<int:pk>/", views.mission_detail, name="mission-detail"),
    path("missions/<int:pk>/edit/", views.mission_edit, name="mission-edit"),
    path("bulletins/", views.bulletin_list, name="bulletin-list"),
    path("bulletins/new/", views.bulletin_create, name="bulletin-create"),
    path("bulletins/feed/<str:lang>/", feeds.bulletin_feed, name="bulletin-feed"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:pk>/edit/", views.bulletin_edit, name="bulletin-edit"),
    path("bulletins/<int:pk>/preview/", views.bulletin_preview, name="bulletin-preview"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin-publish"),
    path("bulletins/<int:pk>/remind/", views.bulletin_remind, name="bulletin-remind"),
    path("bulletins/<int:pk>/close/", views.bulletin_close, name="bulletin-close"),
    path("bulletins/<int:pk>/cancel/", views.bulletin_cancel, name="bulletin-cancel"),
    path("bulletins/<int:pk>/duplicate/", views.bulletin_duplicate, name="bulletin-duplicate"),
    path("bulletins/<int:pk>/acknowledge/", views.bulletin_acknowledge, name="bulletin-acknowledge"),
    path("bulletins/<int:pk>/circulate/", views.bulletin_circulate, name="bulletin-circulate"),
    path("bulletins/<int:pk>/notices/<int:notice_pk>/resend/", views.notice_resend, name="notice-resend"),
]
