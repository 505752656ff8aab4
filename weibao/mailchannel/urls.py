from django.urls import path

from weibao.mailchannel import views

app_name = "mailchannel"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/raw/", views.raw, name="raw"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("outbound/", views.outbound_list, name="outbound"),
    path("outbound/<int:pk>/retry/", views.outbound_retry, name="outbound_retry"),
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_edit, name="mailbox_new"),
    path("mailboxes/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:pk>/poll/", views.mailbox_poll, name="mailbox_poll"),
    path("mailboxes/<int:pk>/import/", views.mailbox_import, name="mailbox_import"),
]
