"""Account URLs. Django's auth views are found by their plain names (login, password_reset...),
so those stay un-namespaced; the roster's own account pages live under the `accounts` namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

own = ([
    path("reauthenticate/", views.reauth, name="reauth"),
    path("session/", views.session_status, name="session"),
    path("two-step/", views.mfa_overview, name="mfa"),
    path("two-step/setup/", views.mfa_setup, name="mfa-setup"),
    path("two-step/verify/", views.mfa_verify, name="mfa-verify"),
    path("two-step/backup-codes/", views.mfa_backup_codes, name="mfa-backup-codes"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout-unlock"),
    path("audit/", views.audit_search, name="audit"),
    path("my-record/reads/", views.my_record_reads, name="my-record-reads"),
    path("api-tokens/", views.api_tokens, name="api-tokens"),
    path("api-tokens/new/", views.api_token_create, name="api-token-create"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("officers/<int:officer_pk>/invite/", views.officer_invite, name="officer-invite"),
], "accounts")

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include(own)),
]
