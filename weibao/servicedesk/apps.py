from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "weibao.servicedesk"
    label = "servicedesk"
    verbose_name = "服务台"

    def ready(self):
        from weibao.servicedesk import signals, tasks  # noqa: F401
        from weibao.servicedesk.probes import (
            attachments_of,
            links_of,
            register_ticket_probe,
            worklogs_of,
        )

        register_ticket_probe("attachments", attachments_of)
        register_ticket_probe("worklogs", worklogs_of)
        register_ticket_probe("links", links_of)
