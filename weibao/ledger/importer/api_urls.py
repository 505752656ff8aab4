from django.urls import path

from weibao.ledger.importer import api

urlpatterns = [
    path("contracts/import/", api.ContractImportView.as_view(), name="contract-import"),
    path("contracts/import/confirm/", api.ContractImportConfirmView.as_view(), name="contract-import-confirm"),
]
