from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "weibao.servicedesk"
    label = "servicedesk"
    verbose_name = "服务台"
