from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "weibao.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from weibao.accounts.sections import register_security_section
        from weibao.accounts.signals import credentials_invalidated
        from weibao.api.account_pages import token_section
        from weibao.api.tokens import revoke_on_invalidated_credentials

        credentials_invalidated.connect(
            revoke_on_invalidated_credentials, dispatch_uid="api.revoke_tokens_on_credentials"
        )
        register_security_section(token_section)
