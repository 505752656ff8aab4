"""This app's REST endpoints, mounted under /api/v1/."""

from weibao.ledger.importer import api_urls as importer_api_urls

urlpatterns: list = []
urlpatterns += importer_api_urls.urlpatterns
