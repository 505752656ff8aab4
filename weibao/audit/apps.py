from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "weibao.audit"
    label = "audit"
    verbose_name = "审计"
