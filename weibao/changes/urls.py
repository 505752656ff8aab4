from django.urls import path

from weibao.changes import views

app_name = "changes"

urlpatterns = [
    path("", views.change_list, name="list"),
    path("calendar/", views.change_calendar, name="calendar"),
    path("new/", views.change_new, name="new"),
    path("settings/", views.change_settings, name="settings"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_new, name="template_new"),
    path("templates/<int:pk>/approve/", views.template_approve, name="template_approve"),
    path("<int:pk>/", views.change_detail, name="detail"),
    path("<int:pk>/approve/", views.change_approve, name="approve"),
    path("<int:pk>/endorse/", views.change_endorse, name="endorse"),
    path("<int:pk>/transition/", views.change_transition, name="transition"),
    path("<int:pk>/link/", views.change_link, name="link"),
    path("data/", views.data_list, name="data_list"),
    path("data/new/", views.data_new, name="data_new"),
    path("data/<int:pk>/", views.data_detail, name="data_detail"),
    path("data/<int:pk>/decide/", views.data_decide, name="data_decide"),
    path("tickets/<int:pk>/data/", views.ticket_data_mark, name="ticket_data_mark"),
]
