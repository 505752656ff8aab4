from django.apps import AppConfig


class MailchannelConfig(AppConfig):
    name = "weibao.mailchannel"
    label = "mailchannel"
    verbose_name = "邮件渠道"
