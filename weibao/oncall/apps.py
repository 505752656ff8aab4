from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "weibao.oncall"
    label = "oncall"
    verbose_name = "值班与排班"
