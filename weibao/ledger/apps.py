from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "weibao.ledger"
    label = "ledger"
    verbose_name = "合同台账"
