from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "weibao.knowledge"
    label = "knowledge"
    verbose_name = "知识库"

    def ready(self) -> None:
        from weibao.knowledge.services.from_ticket import articles_from
        from weibao.servicedesk.probes import register_ticket_probe

        register_ticket_probe("articles", articles_from)
