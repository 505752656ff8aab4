"""Inbound mail: store it, then turn it into a ticket or a reply — or say why not.

``receive()`` only stores the raw bytes (one short transaction), so IMAP polling and the
SMTP/LMTP receiver can acknowledge a message as soon as it is safe on disk.
``process()`` does the rest in its own transaction; when it fails, the mail stays
``failed`` with the error, is retried with backoff, and is shown to the project
manager, who can retry it or force it into a ticket. Nothing is dropped.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from weibao.contracts.access import can
from weibao.contracts.models import Membership
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.db_retry import retry_when_locked
from weibao.core.encrypted_fields import search_hashes
from weibao.mailchannel import parsing
from weibao.mailchannel.authentication import sender_verified
from weibao.mailchannel.models import InboundMail, Mailbox, MailReference
from weibao.mailchannel.screening import Verdict, screen
from weibao.mailchannel.services import alerts
from weibao.mailchannel.services.mailboxes import own_addresses
from weibao.servicedesk.models import Channel, Ticket, TicketLink
from weibao.servicedesk.models import Status as S
from weibao.servicedesk.services import attachments, tickets

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
#: More mail than this from one sender to one mailbox in FLOOD_WINDOW is a loop.
FLOOD_LIMIT = 20
FLOOD_WINDOW = timedelta(minutes=10)


def mailbox_for(addresses: list[str]) -> Mailbox | None:
    """The active mailbox one of ``addresses`` belongs to (SMTP/LMTP routing); an alert
    address (``desk+alert-<secret>@…``) belongs to its mailbox."""
    wanted = [alerts.base_address(a.strip().lower()) for a in addresses if a]
    if not wanted:
        return None
    return Mailbox.objects.filter(active=True, address__in=wanted).select_related("contract").first()


def accepts_recipient(address: str) -> bool:
    """Whether the SMTP/LMTP receiver takes mail for ``address``: an active mailbox's
    address, or one of its alert addresses whose integration is active (else 550)."""
    mailbox = mailbox_for([address])
    if mailbox is None:
        return False
    return address.strip().lower() == mailbox.address.lower() or alerts.accepts(mailbox, address)


def receive(mailbox: Mailbox, raw: bytes, *, source: str) -> InboundMail:
    """Keep the message. Processing follows after commit (queue), or by the retry sweep."""
    head = parsing.peek(raw)
    inbound = InboundMail.objects.create(
        contract_id=mailbox.contract_id,
        mailbox=mailbox,
        source=source,
        raw=raw,
        size=len(raw),
        message_id=head.message_id,
        fingerprint=parsing.content_fingerprint(raw),
        from_address=head.from_address[:320],
        subject=head.subject[:500],
        next_attempt_at=clock.now() + timedelta(minutes=2),
    )
    transaction.on_commit(lambda: _process_later(inbound.pk))
    return inbound


def _process_later(inbound_id: int) -> None:
    try:
        from weibao.mailchannel.tasks import process_inbound

        process_inbound(inbound_id)
    except Exception:  # noqa: BLE001 - stored; the retry sweep processes it
        log.warning("inbound mail %s not queued now; the sweep will process it", inbound_id, exc_info=True)


def process_safely(inbound_id: int, *, force: bool = False) -> InboundMail:
    """``process()``, recording a failure on the mail instead of raising it.

    SQLite's "database is locked" (the poller or another task writing at that moment) is
    retried here a few times first: it is gone in a moment, not worth a failure shown to the
    project manager and a sweep two minutes later."""
    try:
        return retry_when_locked(process)(inbound_id, force=force)
    except Exception as exc:  # noqa: BLE001 - any failure is kept, shown and retried
        log.exception("inbound mail %s could not be processed", inbound_id)
        return retry_when_locked(_record_failure)(inbound_id, exc)


def _record_failure(inbound_id: int, exc: Exception) -> InboundMail:
    inbound = InboundMail.objects.get(pk=inbound_id)
    inbound.attempts += 1
    inbound.status = InboundMail.Status.FAILED
    inbound.last_error = f"{type(exc).__name__}: {exc}".replace("\x00", "")[:4000]
    inbound.next_attempt_at = (
        clock.now() + timedelta(minutes=2 ** min(inbound.attempts, 8))
        if inbound.attempts < MAX_ATTEMPTS
        else None
    )
    inbound.save(update_fields=["attempts", "status", "last_error", "next_attempt_at"])
    return inbound


def _settled(inbound: InboundMail, force: bool) -> bool:
    return inbound.status == InboundMail.Status.PROCESSED or (
        inbound.status == InboundMail.Status.IGNORED and not force
    )


def process(inbound_id: int, *, force: bool = False) -> InboundMail:
    """Screen, thread and file one stored mail. ``force`` files it even if screened out.

    The message is parsed before the write transaction opens: on SQLite that transaction
    holds the only write lock, which the poller storing the next message waits for."""
    inbound = InboundMail.objects.get(pk=inbound_id)
    if _settled(inbound, force):
        return inbound
    mail = parsing.parse(bytes(inbound.raw))
    with transaction.atomic():
        return _file(inbound_id, mail, force=force)


def _file(inbound_id: int, mail: parsing.ParsedMail, *, force: bool) -> InboundMail:
    inbound = InboundMail.objects.select_for_update().select_related("mailbox", "contract").get(pk=inbound_id)
    if _settled(inbound, force):
        return inbound  # another worker got there first
    secret = None if force else alerts.secret_of(inbound.mailbox, mail)
    if secret is not None:
        # Mail to an alert address is an alert, never a ticket (decision 0027) — unless
        # the project manager forces it into one (a person wrote to the alert address).
        return _finish(inbound, *alerts.file(inbound, mail, secret))
    if not force:
        # Only the receiving mailbox's own addresses: another tenant's are not ours.
        verdict = screen(mail, own_addresses=own_addresses(inbound.mailbox)) or _flood_or_duplicate(inbound, mail)
        if verdict is not None:
            return _finish(inbound, InboundMail.Status.IGNORED, verdict.outcome, verdict.reason)

    ticket, how = _thread(inbound, mail)
    if ticket is not None and ticket.status in (S.CLOSED, S.CANCELLED):
        closed = ticket
        ticket = _new_ticket(inbound, mail)
        tickets.link(ticket, closed, by=None, kind=TicketLink.Kind.RELATES)
        outcome, reason = InboundMail.Outcome.CREATED, f"{closed.number} 已结束，新建工单并关联"
    elif ticket is not None:
        _reply(ticket, inbound, mail)
        outcome, reason = InboundMail.Outcome.REPLIED, how
    else:
        ticket = _new_ticket(inbound, mail)
        outcome, reason = InboundMail.Outcome.CREATED, how
    _keep_attachments(ticket, mail)
    _remember(ticket, mail)
    inbound.ticket = ticket
    return _finish(inbound, InboundMail.Status.PROCESSED, outcome, reason)


def _finish(inbound: InboundMail, status: str, outcome: str, reason: str) -> InboundMail:
    inbound.status = status
    inbound.outcome = outcome
    inbound.reason = reason[:500]
    inbound.processed_at = clock.now()
    inbound.next_attempt_at = None
    inbound.last_error = ""
    inbound.save()
    return inbound


def _flood_or_duplicate(inbound: InboundMail, mail: parsing.ParsedMail) -> Verdict | None:
    earlier = InboundMail.objects.filter(mailbox=inbound.mailbox).exclude(pk=inbound.pk)
    if mail.message_id and earlier.filter(
        message_id=mail.message_id, status__in=[InboundMail.Status.PROCESSED, InboundMail.Status.IGNORED]
    ).exists():
        return Verdict(InboundMail.Outcome.DUPLICATE, "duplicate", f"Message-ID: {mail.message_id}")
    # Without a Message-ID, the same sender, Date, subject and body is the same mail.
    if not mail.message_id and inbound.fingerprint and earlier.filter(
        fingerprint=inbound.fingerprint, status__in=[InboundMail.Status.PROCESSED, InboundMail.Status.IGNORED]
    ).exists():
        return Verdict(InboundMail.Outcome.DUPLICATE, "duplicate")
    if mail.from_address:
        recent = earlier.filter(
            # The sender is encrypted at rest: compared through its keyed hash (decision 0026).
            from_address_hash__in=search_hashes("email", mail.from_address),
            received_at__gte=inbound.received_at - FLOOD_WINDOW,
        ).count()
        if recent >= FLOOD_LIMIT:
            return Verdict(InboundMail.Outcome.LOOP, "flood", f"{mail.from_address} × {recent + 1} / 10 min")
    return None


def _thread(inbound: InboundMail, mail: parsing.ParsedMail) -> tuple[Ticket | None, str]:
    """The ticket this mail continues, only ever within the mailbox's own contract."""
    contract_tickets = Ticket.objects.filter(contract_id=inbound.contract_id)
    if mail.thread_ids:
        ref = (
            MailReference.objects.filter(message_id__in=mail.thread_ids, ticket__contract_id=inbound.contract_id)
            .select_related("ticket")
            .order_by("-created_at")
            .first()
        )
        if ref is not None:
            return ref.ticket, "In-Reply-To/References"
    for number in mail.ticket_numbers:
        ticket = contract_tickets.filter(number=number).first()
        # A number in the subject is easy to guess: only the requester or the team may add to it.
        if ticket is not None and _may_reply(ticket, mail.from_address):
            return ticket, f"主题中的工单号 {number}"
    return None, "新邮件"


def _may_reply(ticket: Ticket, address: str) -> bool:
    if not address:
        return False
    if ticket.requester_email and ticket.requester_email.lower() == address:
        return True
    return _member(ticket.contract_id, address) is not None


def _member(contract_id: int, address: str):
    # An administrator's contract roles count for nothing (decision 0012), in mail too.
    membership = (
        Membership.objects.filter(contract_id=contract_id, active=True, user__is_active=True,
                                  user__admin_role_grant__isnull=True)
        .filter(Q(user__email__iexact=address))
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _clean_email(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address[:254]


def _new_ticket(inbound: InboundMail, mail: parsing.ParsedMail) -> Ticket:
    mailbox = inbound.mailbox
    description = mail.text or "（邮件没有正文）"
    if mail.problems:
        description += "\n\n[邮件解析提示: " + "; ".join(mail.problems).replace("\x00", "") + "]"
    return tickets.create_ticket(
        inbound.contract,
        by=None,
        type=mailbox.default_type,
        priority=mailbox.default_priority,
        channel=Channel.EMAIL,
        requester_name=(mail.from_name or mail.from_address or "未知发件人")[:100],
        requester_email=_clean_email(mail.from_address),
        subject=(mail.subject or "（无主题）")[:200],
        description=description,
    )


def _reply(ticket: Ticket, inbound: InboundMail, mail: parsing.ParsedMail) -> None:
    """File a reply by mail. Weibao acts as the system (``by=None``, the sender named) unless
    the sender is a verified member who may reply on the ticket: then as that member."""
    author = _member(ticket.contract_id, mail.from_address)
    vendor = author is not None and can(author, ticket.contract_id, Capability.WORK_TICKETS)
    body = parsing.reply_text(mail.text) or "（邮件没有正文）"
    if author is not None and not sender_verified(mail.headers, mail.from_address):
        # A team member's address that nobody vouches for may be forged: the team sees it
        # as an internal note and decides; the requester gets nothing, no clock stops.
        tickets.add_reply(
            ticket, f"{body}\n\n[{UNVERIFIED_NOTE}]", by=None, public=False,
            author_name=f"{mail.sender_label}（{UNVERIFIED_LABEL}）",
        )
        return
    # A member who may not reply on the page (a bureau viewer, an auditor) still answers
    # by mail as a requester does: filed by Weibao in their name, not as their act.
    by = author if author is not None and can(author, ticket.contract_id, Capability.REPLY) else None
    tickets.add_reply(ticket, body, by=by, public=True, author_name=mail.sender_label)
    if vendor:
        return
    # The requester answered: waiting tickets continue, resolved ones are reopened.
    if ticket.status == S.WAITING:
        tickets.transition(ticket, S.IN_PROGRESS, by=None, comment="请求人已通过邮件回复")
    elif ticket.status == S.RESOLVED:
        tickets.transition(ticket, S.IN_PROGRESS, by=None, comment="请求人邮件回复，工单重新打开")


UNVERIFIED_LABEL = "发件人未验证"
UNVERIFIED_NOTE = (
    "此邮件的发件地址属于团队成员，但收信服务器未验证发件人（Authentication-Results），"
    "因此作为内部备注保存，未发给请求人。确认属实后可在工单中正式回复。"
)


def _keep_attachments(ticket: Ticket, mail: parsing.ParsedMail) -> None:
    refused = []
    for part in mail.attachments:
        upload = SimpleUploadedFile(part.name or "attachment", part.content, part.content_type)
        try:
            attachments.add_attachment(ticket, upload, by=None)
        except ValidationError:
            refused.append(part.name)
    if refused:
        tickets.add_reply(
            ticket, "以下邮件附件类型不允许，未存为附件（原始邮件已保留）：" + "、".join(refused),
            by=None, public=False, author_name="邮件渠道",
        )


def _remember(ticket: Ticket, mail: parsing.ParsedMail) -> None:
    if mail.message_id:
        MailReference.objects.get_or_create(ticket=ticket, message_id=mail.message_id)


def retry_due(limit: int = 100) -> int:
    """Process stored mail whose turn has come (queue was down, or an earlier try failed)."""
    due = InboundMail.objects.filter(
        status__in=[InboundMail.Status.PENDING, InboundMail.Status.FAILED],
        next_attempt_at__lte=clock.now(),
    ).values_list("pk", flat=True)[:limit]
    done = 0
    for pk in list(due):
        if process_safely(pk).status != InboundMail.Status.FAILED:
            done += 1
    return done
