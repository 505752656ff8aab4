"""Storing notifications and delivering them, at least once, idempotently per delivery."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction

from weibao.core import clock
from weibao.notifications.models import Delivery, Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def notify(
    users,
    *,
    subject: str,
    body: str = "",
    contract=None,
    link: str = "",
    kind: str = "",
    dedup_key: str = "",
    urgency: str = "normal",
    ack_url: str = "",
    on_duty: bool = False,
    channel_ids=None,
) -> list[Notification]:
    """Store one notification per distinct active recipient and queue its email.

    ``dedup_key`` makes a repeat call a no-op for a recipient who already has it
    (e.g. "sla-breach:<clock id>"), so retried callers never double-notify.
    """
    if users is None:
        return []
    # One user, also a lazy request.user (which looks iterable to isinstance).
    if isinstance(users, models.Model) or not isinstance(users, Iterable):
        users = [users]
    created = []
    seen = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if dedup_key and Notification.objects.filter(recipient=user, dedup_key=dedup_key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    contract=contract,
                    subject=subject[:200],
                    body=f"{body}\n\n确认：{ack_url}" if ack_url else body,
                    link=link,
                    kind=kind,
                    dedup_key=dedup_key,
                )
        except IntegrityError:
            continue  # the same dedup_key raced in from another worker
        if user.email:
            delivery = Delivery.objects.create(
                notification=note, channel=Delivery.Channel.EMAIL, address=user.email
            )
            transaction.on_commit(lambda d=delivery.pk: _enqueue(d))
        created.append(note)
    return created


def _enqueue(delivery_id: int) -> None:
    try:
        from weibao.notifications.tasks import deliver

        deliver(delivery_id)
    except Exception:  # noqa: BLE001 - stored; the periodic retry sends it
        log.warning("delivery %s not queued now; the retry sweep will send it", delivery_id)


def attempt_delivery(delivery: Delivery) -> bool:
    """Try one send. On failure, schedule the next try with exponential backoff."""
    if delivery.status == Delivery.Status.SENT:
        return True
    note = delivery.notification
    try:
        body = note.body
        if note.link:
            body = f"{body}\n\n{settings.WEIBAO_BASE_URL.rstrip('/')}{note.link}"
        send_mail(note.subject, body, settings.DEFAULT_FROM_EMAIL, [delivery.address])
    except Exception as exc:  # noqa: BLE001 - any transport error is retried
        delivery.attempts += 1
        delivery.last_error = str(exc)[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = clock.now() + timedelta(minutes=2 ** min(delivery.attempts, 8))
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        log.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
        return False
    delivery.attempts += 1
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = clock.now()
    delivery.last_error = ""
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return True


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def cancel_pending(dedup_key_prefix: str) -> int:
    """Interface placeholder until the channels work lands (delayed pages)."""
    return 0
