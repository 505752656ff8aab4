from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "weibao.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from weibao.core import template_i18n

        template_i18n.install()
