from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "weibao.incidents"
    label = "incidents"
    verbose_name = "事件与应急"
