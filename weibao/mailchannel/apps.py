from django.apps import AppConfig


class MailchannelConfig(AppConfig):
    name = "weibao.mailchannel"
    label = "mailchannel"
    verbose_name = "邮件渠道"

    def ready(self) -> None:
        from weibao.incidents.integrations import register_mail_addresses
        from weibao.mailchannel import subscribers  # noqa: F401 - registers the event subscribers
        from weibao.mailchannel.services.alerts import alert_addresses

        # An e-mail integration's addresses are this app's to give (decision 0027).
        register_mail_addresses(alert_addresses)
