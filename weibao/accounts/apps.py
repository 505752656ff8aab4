from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "weibao.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from weibao.accounts import signals  # noqa: F401
