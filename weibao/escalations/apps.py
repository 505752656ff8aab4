from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "weibao.escalations"
    label = "escalations"
    verbose_name = "升级策略"

    def ready(self) -> None:
        from weibao.escalations import subscribers, tasks  # noqa: F401 - they register
        from weibao.escalations.panels import escalations_of, ticket_escalation_panel
        from weibao.servicedesk.panels import register_ticket_panel
        from weibao.servicedesk.probes import register_ticket_probe

        register_ticket_panel(ticket_escalation_panel)
        register_ticket_probe("escalations", escalations_of)
