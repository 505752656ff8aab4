from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "weibao.web"
    label = "web"
    verbose_name = "界面"
