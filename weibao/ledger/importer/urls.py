from django.urls import path

from weibao.ledger.importer import views

urlpatterns = [
    path("import/", views.import_contract, name="import"),
    path("import/confirm/", views.confirm_import, name="import_confirm"),
]
