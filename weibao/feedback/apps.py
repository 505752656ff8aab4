from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "weibao.feedback"
    label = "feedback"
    verbose_name = "好差评与整改"
