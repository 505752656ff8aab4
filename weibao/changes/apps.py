from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "weibao.changes"
    label = "changes"
    verbose_name = "变更与数据使用"
