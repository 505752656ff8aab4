from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "weibao.api"
    label = "api"
    verbose_name = "API"
