from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "weibao.ledger"
    label = "ledger"
    verbose_name = "合同台账"

    def ready(self) -> None:
        from weibao.ledger import live_indicators  # noqa: F401 - registers the indicators
