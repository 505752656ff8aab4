"""Demo mail channel: a service-desk mailbox per contract. The seed's month of mail
arrives with its tickets (``weibao.demo.month_mail``)."""

from __future__ import annotations

from weibao.mailchannel.models import Mailbox

SEED_ADDRESS = "support@shilong.weibao.test"


def load(contracts) -> None:
    seed, other = contracts["seed"], contracts["other"]
    Mailbox.objects.get_or_create(contract=seed, address=SEED_ADDRESS, defaults={
        "sender_name": "石龙区政务服务运维服务台", "sender_address": "noreply@shilong.weibao.test"})
    Mailbox.objects.get_or_create(contract=other, address="help@demo-city.weibao.test",
                                  defaults={"sender_name": "运维服务台"})
