from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "weibao.people"
    label = "people"
    verbose_name = "人员与培训"
