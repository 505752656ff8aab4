"""Alert e-mail: mail to a mailbox's secret sub-address becomes an alert, not a ticket.

An e-mail integration (incidents app, kind ``email``) of a contract receives at
``<local>+alert-<secret>@<domain>`` for each active service mailbox ``<local>@<domain>``
of that contract: the mail reaches the mailbox as any other (IMAP polling, or the
SMTP/LMTP receiver), is stored raw first as any other, and its processing hands it to
``incidents.ingest`` instead of the ticket desk (docs/decisions/0027-alerts-by-email.md).

The secret is the credential, as in a webhook's URL: rotating it kills the old address
at once (the receiver refuses it at RCPT; a copy fetched by IMAP is ignored and kept).
Routing stays inside the receiving mailbox's contract: a secret of another contract's
integration, or one under another mailbox's address, is not an alert address here.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime

from weibao.incidents import ingest
from weibao.incidents.formats import mail_document
from weibao.incidents.models import Integration
from weibao.mailchannel import parsing
from weibao.mailchannel.models import InboundMail, Mailbox
from weibao.mailchannel.screening import Verdict, screen
from weibao.mailchannel.services.mailboxes import own_addresses

TAG = "alert-"
_ALERT_ADDRESS = re.compile(r"^(?P<local>[^@+\s]+)\+alert-(?P<secret>[a-z2-7]{16,64})@(?P<domain>[^@\s]+)$", re.I)


def alert_addresses(integration: Integration) -> list[str]:
    """An e-mail integration's addresses: one per active mailbox of its contract."""
    if integration.kind != Integration.Kind.EMAIL:
        return []
    mailboxes = Mailbox.objects.filter(contract_id=integration.contract_id, active=True).order_by("address")
    result = []
    for address in mailboxes.values_list("address", flat=True):
        local, _sep, domain = address.partition("@")
        result.append(f"{local}+{TAG}{integration.secret}@{domain}")
    return result


def split(address: str) -> tuple[str, str] | None:
    """(the mailbox address, the secret) of an alert address; None for any other."""
    found = _ALERT_ADDRESS.match((address or "").strip())
    if found is None:
        return None
    return f"{found['local']}@{found['domain']}".lower(), found["secret"].lower()


def base_address(address: str) -> str:
    """The mailbox an address is delivered to: an alert address's mailbox, else itself."""
    parts = split(address)
    return parts[0] if parts else address


def integration_for(mailbox: Mailbox, secret: str) -> Integration | None:
    """The active e-mail integration of the mailbox's own contract with that secret."""
    return Integration.objects.filter(
        contract_id=mailbox.contract_id, kind=Integration.Kind.EMAIL, secret=secret.lower(), active=True
    ).first()


def accepts(mailbox: Mailbox, address: str) -> bool:
    """Whether mail to ``address`` (one of ``mailbox``'s alert addresses) is taken at RCPT."""
    parts = split(address)
    return parts is not None and parts[0] == mailbox.address.lower() and integration_for(mailbox, parts[1]) is not None


def secret_of(mailbox: Mailbox, mail: parsing.ParsedMail) -> str | None:
    """The secret of the first alert address of this mailbox the mail was sent to
    (Delivered-To, X-Original-To, Envelope-To, To, Cc); None for ordinary mail."""
    own = mailbox.address.lower()
    for address in [*mail.to, *mail.cc]:
        parts = split(address)
        if parts is not None and parts[0] == own:
            return parts[1]
    return None


def _date_of(mail: parsing.ParsedMail, inbound: InboundMail) -> datetime:
    """The mail's Date, or when it was received when it has none that is believable."""
    try:
        moment = email.utils.parsedate_to_datetime(mail.date) if mail.date else None
    except (TypeError, ValueError, IndexError, OverflowError):
        moment = None
    if moment is None or not 2000 <= moment.year <= 2100:
        return inbound.received_at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def file(inbound: InboundMail, mail: parsing.ParsedMail, secret: str) -> tuple[str, str, str]:
    """Hand an alert e-mail to the integration; (status, outcome, reason) for the mail.

    A failure to store the alert raises: the mail stays failed and is retried like any
    other. What the alert intake stores but cannot process now, its own sweep retries."""
    ignored, alert = InboundMail.Status.IGNORED, InboundMail.Outcome.ALERT
    integration = integration_for(inbound.mailbox, secret)
    if integration is None:
        return ignored, alert, "alert_unknown"
    # Bounces and our own mail coming back are no alerts; "automatic" is what alerts are,
    # so auto-reply headers and the flood rule do not apply here.
    verdict: Verdict | None = screen(mail, own_addresses=own_addresses(inbound.mailbox))
    if verdict is not None and verdict.outcome in (InboundMail.Outcome.BOUNCE, InboundMail.Outcome.LOOP):
        return ignored, verdict.outcome, verdict.reason
    body = mail_document(
        message_id=mail.message_id, sender=mail.from_address, subject=mail.subject,
        date=_date_of(mail, inbound), text=mail.text, headers=mail.headers,
    )
    receipt = ingest.receive(integration, body)
    where = f"{integration.name} #{receipt.delivery.pk}"
    if receipt.problems:
        return ignored, alert, f"alert_rejected: {where}: " + "; ".join(receipt.problems)
    if receipt.duplicate:
        return InboundMail.Status.PROCESSED, InboundMail.Outcome.DUPLICATE, f"alert_duplicate: {where}"
    return InboundMail.Status.PROCESSED, alert, f"alert: {where}"
