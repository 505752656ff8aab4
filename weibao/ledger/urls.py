from django.urls import path

from weibao.ledger import views
from weibao.ledger.importer import urls as importer_urls

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/documents/", views.upload_document, name="upload_document"),
    path("<int:pk>/breach/", views.issue_notice, name="issue_notice"),
    path("<int:pk>/force-majeure/", views.force_majeure, name="force_majeure"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("<int:pk>/obligations/", views.obligations, name="obligations"),
    path("<int:pk>/obligations/seal/", views.seal, name="seal"),
    path("snapshots/<int:pk>/", views.snapshot, name="snapshot"),
    path("<int:pk>/terms/", views.edit_terms, name="edit_terms"),
    path("<int:pk>/milestones/new/", views.add_milestone, name="add_milestone"),
    path("milestones/<int:pk>/edit/", views.edit_milestone, name="edit_milestone"),
    path("milestones/<int:pk>/remove/", views.remove_milestone, name="remove_milestone"),
    path("milestones/<int:pk>/invoice/", views.invoice, name="invoice"),
    path("milestones/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("handover/<int:pk>/tick/", views.tick_handover, name="tick_handover"),
    path("rules/<int:pk>/record/", views.record_penalty, name="record_penalty"),
    path("rules/<int:pk>/edit/", views.edit_rule, name="edit_rule"),
    path("<int:pk>/rules/new/", views.add_rule, name="add_rule"),
    path("penalties/<int:pk>/approve/", views.approve_penalty, name="approve_penalty"),
    path("penalties/<int:pk>/acknowledge/", views.acknowledge_penalty, name="acknowledge_penalty"),
    path("penalties/<int:pk>/withdraw/", views.withdraw_penalty, name="withdraw_penalty"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/outcome/", views.notice_outcome, name="notice_outcome"),
    path("force-majeure/<int:pk>/", views.force_majeure_update, name="force_majeure_update"),
]
urlpatterns += importer_urls.urlpatterns
