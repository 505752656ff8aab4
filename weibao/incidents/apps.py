from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "weibao.incidents"
    label = "incidents"
    verbose_name = "事件与应急"

    def ready(self) -> None:
        from weibao.incidents import subscribers, tasks  # noqa: F401 - registers subscribers and tasks
