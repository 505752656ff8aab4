from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "weibao.hotline"
    label = "hotline"
    verbose_name = "热线"
