from django.urls import path

from weibao.calendars import views

app_name = "calendars"

urlpatterns = [
    path("", views.home, name="home"),
    path("create/", views.calendar_create, name="create"),
    path("holidays/set/", views.holiday_set, name="holiday_set"),
    path("holidays/import/", views.holiday_import, name="holiday_import"),
    path("holidays/notice/", views.notice, name="notice"),
]
