from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "weibao.calendars"
    label = "calendars"
    verbose_name = "日历"
