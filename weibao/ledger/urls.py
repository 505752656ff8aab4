from django.urls import path  # noqa: F401

from weibao.ledger.importer import urls as importer_urls

app_name = "ledger"

urlpatterns: list = []
urlpatterns += importer_urls.urlpatterns
