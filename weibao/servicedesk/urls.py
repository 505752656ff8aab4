from django.urls import path

from weibao.servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("count/", views.ticket_count, name="count"),
    path("new/", views.ticket_new, name="new"),
    path("sla/", views.policies, name="policies"),
    path("sla/<int:pk>/", views.policy_update, name="policy_update"),
    path("bulk/", views.bulk, name="bulk"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:pk>/delete/", views.delete_view, name="delete_view"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/timers/", views.ticket_timers, name="timers"),
    path("<int:pk>/transition/", views.ticket_transition, name="transition"),
    path("<int:pk>/reply/", views.ticket_reply, name="reply"),
    path("<int:pk>/update/", views.ticket_update, name="update"),
    path("<int:pk>/worklog/", views.ticket_worklog, name="worklog"),
    path("<int:pk>/arrival/", views.ticket_arrival, name="arrival"),
    path("<int:pk>/urge/", views.ticket_urge, name="urge"),
    path("<int:pk>/watch/", views.ticket_watch, name="watch"),
    path("<int:pk>/link/", views.ticket_link, name="link"),
    path("<int:pk>/phone/", views.ticket_reveal_phone, name="phone"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
