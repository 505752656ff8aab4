from django.urls import path

from weibao.servicedesk.views.list import bulk, delete_view, save_view, ticket_count, ticket_list
from weibao.servicedesk.views.sla import policy_list, policy_update
from weibao.servicedesk.views.ticket import (
    attachment_download,
    ticket_arrival,
    ticket_detail,
    ticket_link,
    ticket_new,
    ticket_reply,
    ticket_reveal_phone,
    ticket_timers,
    ticket_transition,
    ticket_update,
    ticket_urge,
    ticket_watch,
    ticket_worklog,
)

app_name = "servicedesk"

urlpatterns = [
    path("", ticket_list, name="list"),
    path("count/", ticket_count, name="count"),
    path("new/", ticket_new, name="new"),
    path("sla/", policy_list, name="policies"),
    path("sla/<int:pk>/", policy_update, name="policy_update"),
    path("bulk/", bulk, name="bulk"),
    path("views/", save_view, name="save_view"),
    path("views/<int:pk>/delete/", delete_view, name="delete_view"),
    path("<int:pk>/", ticket_detail, name="detail"),
    path("<int:pk>/timers/", ticket_timers, name="timers"),
    path("<int:pk>/transition/", ticket_transition, name="transition"),
    path("<int:pk>/reply/", ticket_reply, name="reply"),
    path("<int:pk>/update/", ticket_update, name="update"),
    path("<int:pk>/worklog/", ticket_worklog, name="worklog"),
    path("<int:pk>/arrival/", ticket_arrival, name="arrival"),
    path("<int:pk>/urge/", ticket_urge, name="urge"),
    path("<int:pk>/watch/", ticket_watch, name="watch"),
    path("<int:pk>/link/", ticket_link, name="link"),
    path("<int:pk>/phone/", ticket_reveal_phone, name="phone"),
    path("attachments/<int:pk>/", attachment_download, name="attachment"),
]
