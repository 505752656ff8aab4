"""Demo mail channel: a service-desk mailbox per contract and a few real-world messages."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from weibao.mailchannel.models import InboundMail, Mailbox
from weibao.mailchannel.services.inbound import process_safely, receive

MAIL_DIR = Path(__file__).parent / "data" / "mail"
SEED_ADDRESS = "support@shilong.weibao.test"


def load(contracts) -> None:

    seed, other = contracts["seed"], contracts["other"]
    if Mailbox.objects.filter(contract=seed).exists():
        return
    mailbox = Mailbox.objects.create(
        contract=seed, address=SEED_ADDRESS, sender_name="石龙区政务服务运维服务台",
        sender_address="noreply@shilong.weibao.test",
    )
    Mailbox.objects.create(contract=other, address="help@demo-city.weibao.test", sender_name="运维服务台")
    for path in sorted(MAIL_DIR.glob("*.eml")):
        with transaction.atomic():
            stored = receive(mailbox, path.read_bytes(), source=InboundMail.Source.SMTP)
        process_safely(stored.pk)
