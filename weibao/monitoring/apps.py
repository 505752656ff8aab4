from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "weibao.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"
