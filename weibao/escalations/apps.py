from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "weibao.escalations"
    label = "escalations"
    verbose_name = "升级策略"

    def ready(self) -> None:
        from weibao.escalations import subscribers, tasks  # noqa: F401 - they register
        from weibao.escalations.panels import ticket_escalation_panel
        from weibao.servicedesk.panels import register_ticket_panel

        register_ticket_panel(ticket_escalation_panel)
