"""This app's REST endpoints, mounted under /api/v1/."""

from django.urls import path

from weibao.ledger import api
from weibao.ledger.importer import api_urls as importer_api_urls

urlpatterns = [
    path("contracts/<int:pk>/proration/", api.ProrationView.as_view(), name="ledger-proration"),
    path("contracts/<int:pk>/renewal/", api.RenewalView.as_view(), name="ledger-renewal"),
    path("contracts/<int:pk>/obligations/", api.ObligationsView.as_view(), name="ledger-obligations"),
    path("contracts/<int:pk>/payments/", api.PaymentsView.as_view(), name="ledger-payments"),
    path("contracts/<int:pk>/penalties/", api.PenaltiesView.as_view(), name="ledger-penalties"),
    path("milestones/<int:pk>/", api.MilestoneView.as_view(), name="ledger-milestone"),
    path("penalties/<int:pk>/approve/", api.PenaltyApproveView.as_view(), name="ledger-penalty-approve"),
    path("penalties/<int:pk>/acknowledge/", api.PenaltyAcknowledgeView.as_view(), name="ledger-penalty-acknowledge"),
]
urlpatterns += importer_api_urls.urlpatterns
