from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/", views.outbox_detail, name="outbox-detail"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox-resend"),
    path("messages/", views.my_messages, name="my-messages"),
    path("messages/<int:pk>/", views.my_message_detail, name="my-message-detail"),
]
