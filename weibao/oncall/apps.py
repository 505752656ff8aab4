from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "weibao.oncall"
    label = "oncall"
    verbose_name = "值班与排班"

    def ready(self) -> None:
        from weibao.oncall import escalation_targets

        escalation_targets.register()
