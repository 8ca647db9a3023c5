from django.urls import path

from . import views

urlpatterns = [
    path("pool/", views.pool_list, name="pool-list"),
    path("pool/mine/", views.pool_mine, name="pool-mine"),
    path("pool/mine/leave/", views.pool_leave, name="pool-leave"),
    path("pool/<int:pk>/support/", views.pool_support, name="pool-support"),
]
