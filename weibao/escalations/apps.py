from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "weibao.escalations"
    label = "escalations"
    verbose_name = "升级策略"
