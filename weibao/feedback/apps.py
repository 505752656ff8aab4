from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "weibao.feedback"
    label = "feedback"
    verbose_name = "好差评与整改"

    def ready(self) -> None:
        from weibao.feedback.panels import ticket_rating_panel
        from weibao.servicedesk.panels import register_ticket_panel

        register_ticket_panel(ticket_rating_panel)
