from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "weibao.changes"
    label = "changes"
    verbose_name = "变更与数据使用"

    def ready(self) -> None:
        from weibao.changes.data import ticket_closable
        from weibao.changes.panels import changes_of, data_marks_of, ticket_changes_panel
        from weibao.servicedesk.closing import register_close_check
        from weibao.servicedesk.panels import register_ticket_panel
        from weibao.servicedesk.probes import register_ticket_probe

        register_close_check(ticket_closable)
        register_ticket_panel(ticket_changes_panel)
        register_ticket_probe("changes", changes_of)
        register_ticket_probe("data_mark", data_marks_of)
