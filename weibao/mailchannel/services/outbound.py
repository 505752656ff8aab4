"""Mail to requesters: acknowledgement of a new ticket, public replies, resolution.

Each notification is a stored ``OutboundMail`` (one per ticket event, by a dedup key, so a
re-run subscriber never mails twice), sent by the queue and retried with backoff. The
headers thread it in the requester's mail client (Message-ID, In-Reply-To, References,
the ticket number in the subject) and keep auto-responders quiet (RFC 3834
``Auto-Submitted``, Exchange's ``X-Auto-Response-Suppress``). The text is Chinese.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.headerregistry import Address
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.db_retry import retry_when_locked
from weibao.mailchannel.models import Mailbox, MailReference, OutboundMail
from weibao.mailchannel.parsing import REPLY_ABOVE
from weibao.portal.models import PortalSite
from weibao.servicedesk.models import Ticket, TicketEntry

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SUBJECT_PREFIX = {
    OutboundMail.Kind.CREATED: "已受理",
    OutboundMail.Kind.REPLIED: "新回复",
    OutboundMail.Kind.RESOLVED: "已解决",
}


def _mailbox(ticket: Ticket) -> Mailbox | None:
    return Mailbox.objects.filter(contract_id=ticket.contract_id, active=True, notify_requester=True).first()


def queue(ticket: Ticket, kind: str, *, dedup_key: str, entry: TicketEntry | None = None, comment: str = ""):
    """Store the notification for ``ticket``'s requester and send it after commit."""
    mailbox = _mailbox(ticket)
    if mailbox is None or not ticket.requester_email:
        return None
    existing = OutboundMail.objects.filter(dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    references = list(
        MailReference.objects.filter(ticket=ticket).order_by("created_at", "id").values_list("message_id", flat=True)
    )
    received = list(
        MailReference.objects.filter(ticket=ticket, outbound=False)
        .order_by("-created_at", "-id")
        .values_list("message_id", flat=True)[:1]
    )
    domain = mailbox.from_address.rsplit("@", 1)[-1]
    with translation.override("zh-hans"):
        context = {
            "ticket": ticket,
            "kind": kind,
            "entry": entry,
            "comment": comment,
            "mailbox": mailbox,
            "reply_above": REPLY_ABOVE,
            "portal_hint": _portal_hint(ticket),
        }
        body = render_to_string("mailchannel/mail/notification.txt", context)
    subject = f"[{ticket.number}] {SUBJECT_PREFIX[kind]}：{ticket.subject}"[:500]
    try:
        with transaction.atomic():
            mail = OutboundMail.objects.create(
                contract_id=ticket.contract_id,
                ticket=ticket,
                kind=kind,
                to_address=ticket.requester_email,
                from_address=str(Address(mailbox.sender_name, addr_spec=mailbox.from_address)),
                subject=subject,
                body=body,
                message_id=make_msgid(idstring=f"wb{ticket.pk}", domain=domain),
                in_reply_to=(received or references[-1:] or [""])[0],
                references=" ".join(references[-20:]),
                dedup_key=dedup_key,
            )
    except IntegrityError:  # the same event raced in from another worker
        return OutboundMail.objects.get(dedup_key=dedup_key)
    MailReference.objects.get_or_create(ticket=ticket, message_id=mail.message_id, defaults={"outbound": True})
    transaction.on_commit(lambda: _send_later(mail.pk))
    return mail


def _portal_hint(ticket: Ticket) -> str:

    site = PortalSite.objects.filter(contract_id=ticket.contract_id).first()
    if site is None:
        return ""
    return settings.WEIBAO_BASE_URL.rstrip("/") + reverse("portal:track", args=[site.slug])


def _send_later(mail_id: int) -> None:
    try:
        from weibao.mailchannel.tasks import send_outbound

        send_outbound(mail_id)
    except Exception:  # noqa: BLE001 - stored; the retry sweep sends it
        log.warning("outbound mail %s not queued now; the sweep will send it", mail_id, exc_info=True)


def build(mail: OutboundMail) -> EmailMessage:
    headers = {
        "Message-ID": mail.message_id,
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "X-Weibao-Loop": str(mail.contract_id),
        "Reply-To": Mailbox.objects.filter(contract_id=mail.contract_id).values_list("address", flat=True).first()
        or mail.from_address,
    }
    if mail.in_reply_to:
        headers["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        headers["References"] = mail.references
    return EmailMessage(mail.subject, mail.body, mail.from_address, [mail.to_address], headers=headers)


def _lease() -> timedelta:
    # Long enough for one SMTP attempt to finish or time out; a sender killed mid-send
    # leaves the mail claimed until then, and the sweep sends it again afterwards.
    return timedelta(seconds=settings.EMAIL_TIMEOUT + 10)


def send(mail_id: int) -> bool:
    """One attempt, claimed by a conditional update so two workers never send the same
    mail at once, and no database transaction stays open while the SMTP server talks."""
    now = clock.now()
    claimed = OutboundMail.objects.filter(
        pk=mail_id, status=OutboundMail.Status.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + _lease())
    mail = OutboundMail.objects.filter(pk=mail_id).first()
    if mail is None or mail.status == OutboundMail.Status.SENT:
        return True
    if not claimed:
        return False  # another worker has it, or its retry time has not come
    try:
        build(mail).send()
    except Exception as exc:  # noqa: BLE001 - any transport error is retried
        failed = mail.attempts >= MAX_ATTEMPTS
        retry_when_locked(OutboundMail.objects.filter(pk=mail.pk).update)(
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=OutboundMail.Status.FAILED if failed else OutboundMail.Status.PENDING,
            next_attempt_at=clock.now() + timedelta(minutes=2 ** min(mail.attempts, 8)),
        )
        log.warning("outbound mail %s failed (attempt %s): %s", mail.pk, mail.attempts, exc)
        return False
    # Sent: recording it must not fail on SQLite's lock, or the lease would run out and the
    # requester get the mail twice.
    retry_when_locked(OutboundMail.objects.filter(pk=mail.pk).update)(
        status=OutboundMail.Status.SENT, sent_at=clock.now(), last_error=""
    )
    return True


def retry_due(limit: int = 200) -> int:
    due = OutboundMail.objects.filter(
        status=OutboundMail.Status.PENDING, next_attempt_at__lte=clock.now()
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(due) if send(pk))


def retry_now(mail: OutboundMail) -> bool:
    """A project manager's retry of a failed mail: a fresh series of attempts."""
    OutboundMail.objects.filter(pk=mail.pk).update(
        status=OutboundMail.Status.PENDING, attempts=0, next_attempt_at=clock.now()
    )
    return send(mail.pk)


# -- what the ticket events ask for ----------------------------------------------------------


def on_ticket_event(event) -> None:
    ticket = Ticket.objects.filter(pk=event.object_id).first()
    if ticket is None:
        return
    dedup = f"{event.type}:{event.pk}"
    if event.type == "ticket.created":
        queue(ticket, OutboundMail.Kind.CREATED, dedup_key=dedup)
    elif event.type == "ticket.resolved":
        queue(ticket, OutboundMail.Kind.RESOLVED, dedup_key=dedup, comment=event.payload.get("comment", ""))
    elif event.type == "ticket.replied":
        entry = TicketEntry.objects.filter(pk=event.payload.get("entry"), public=True).first()
        # Only the team's answers go out; the requester's own mail is not echoed back.
        if entry is not None and entry.author is not None and can(
            entry.author, ticket.contract_id, Capability.WORK_TICKETS
        ):
            queue(ticket, OutboundMail.Kind.REPLIED, dedup_key=dedup, entry=entry)
