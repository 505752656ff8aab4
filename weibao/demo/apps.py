from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and ``weibao load_demo``; no models."""

    name = "weibao.demo"
    label = "demo"
    verbose_name = "演示数据"
