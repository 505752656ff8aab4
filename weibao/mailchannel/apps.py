from django.apps import AppConfig


class MailchannelConfig(AppConfig):
    name = "weibao.mailchannel"
    label = "mailchannel"
    verbose_name = "邮件渠道"

    def ready(self) -> None:
        from weibao.mailchannel import subscribers  # noqa: F401 - registers the event subscribers
