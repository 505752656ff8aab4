from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "weibao.feedback"
    label = "feedback"
    verbose_name = "好差评与整改"

    def ready(self) -> None:
        from weibao.feedback.panels import ratings_of, ticket_rating_panel
        from weibao.servicedesk.panels import register_ticket_panel
        from weibao.servicedesk.probes import register_ticket_probe

        register_ticket_panel(ticket_rating_panel)
        register_ticket_probe("rating", ratings_of)
