from django.urls import path

from weibao.oncall import views

app_name = "oncall"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("schedules/new/", views.schedule_new, name="schedule_new"),
    path("schedules/<int:pk>/", views.schedule_detail, name="schedule"),
    path("schedules/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/layers/", views.layer_new, name="layer_new"),
    path("schedules/<int:pk>/import/", views.import_ics, name="import_ics"),
    path("layers/<int:pk>/edit/", views.layer_edit, name="layer_edit"),
    path("layers/<int:pk>/delete/", views.layer_delete, name="layer_delete"),
    path("overrides/", views.overrides, name="overrides"),
    path("overrides/new/", views.override_new, name="override_new"),
    path("overrides/<int:pk>/decide/", views.override_decide, name="override_decide"),
    path("time-off/", views.time_off_new, name="time_off_new"),
    path("time-off/<int:pk>/delete/", views.time_off_delete, name="time_off_delete"),
    path("residency/", views.residency, name="residency"),
    path("residency/day/", views.residency_day, name="residency_day"),
    path("residency/fill/", views.residency_fill, name="residency_fill"),
    path("residency/minimum/", views.residency_minimum, name="residency_minimum"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/generate/", views.holiday_generate, name="holiday_generate"),
    path("holidays/<int:pk>/", views.holiday_detail, name="holiday"),
    path("holidays/days/<int:pk>/", views.holiday_day, name="holiday_day"),
    path("holidays/<int:pk>/send/", views.holiday_send, name="holiday_send"),
    path("holidays/<int:pk>/confirm/", views.holiday_confirm, name="holiday_confirm"),
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/<int:pk>/acknowledge/", views.handover_acknowledge, name="handover_acknowledge"),
    path("feeds/", views.feed_list, name="feeds"),
    path("feeds/<int:pk>/revoke/", views.feed_revoke, name="feed_revoke"),
    path("gaps/", views.gaps, name="gaps"),
    path("ical/<str:secret>.ics", views.ical, name="ical"),
]
