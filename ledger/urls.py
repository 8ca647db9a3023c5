from django.urls import path

from roster.urls_reports import ExportFormatConverter  # noqa: F401  (registers "export_format")

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.claim_list, name="claims"),
    path("summary/", views.ledger_summary, name="summary"),
    path("claims.<export_format:fmt>", views.claims_export, name="export"),
    path("tours/", views.claimable, name="claimable"),
    path("tours/<int:deployment_pk>/claim/", views.claim_create, name="claim-create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim-decide"),
    path("claims/<int:pk>/pay/", views.claim_pay, name="claim-pay"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim-withdraw"),
    path("claims/<int:pk>/documents/", views.claim_documents_add, name="claim-documents-add"),
    path("claims/<int:pk>/documents/<int:doc_pk>/", views.claim_document, name="claim-document"),
]
