from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "weibao.servicedesk"
    label = "servicedesk"
    verbose_name = "服务台"

    def ready(self):
        from weibao.servicedesk import signals, tasks  # noqa: F401
