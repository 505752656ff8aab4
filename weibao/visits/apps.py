from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "weibao.visits"
    label = "visits"
    verbose_name = "现场服务"
