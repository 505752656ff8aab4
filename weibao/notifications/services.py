"""Storing notifications and delivering them: at least once, once per person and event.

``notify()`` stores everything before anything is sent: the inbox entry, and one
``Delivery`` per channel the recipient's rules ask for (and one per group channel the
caller names). The worker sends each delivery by ``send_delivery``: claim (a conditional
UPDATE that moves ``next_attempt_at`` one send timeout ahead, so no other worker takes it
and no transaction stays open while the platform talks), send with the delivery's
idempotency key, mark. A worker that dies between send and mark leaves the claim to expire;
the sweep sends again with the same key (decision 0017).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import memberships_of
from weibao.core import clock, stored_secrets
from weibao.core.queue import enqueue_all
from weibao.notifications.channels import ADAPTERS, ChannelConfig, Message, SendFailed
from weibao.notifications.channels.base import timeout
from weibao.notifications.channels.gateway import segments
from weibao.notifications.models import (
    ContactProfile,
    Delivery,
    Notification,
    NotificationChannel,
    NotificationRule,
    Urgency,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
SHANGHAI = ZoneInfo("Asia/Shanghai")
Method = NotificationRule.Method

#: Rules of a person who has not written their own: (method, delay in minutes).
DEFAULT_RULES: dict[str, tuple[tuple[str, int], ...]] = {
    Urgency.CRITICAL: ((Method.SMS, 0), (Method.EMAIL, 0), (Method.VOICE, 5)),
    Urgency.HIGH: ((Method.SMS, 0), (Method.EMAIL, 0)),
    Urgency.NORMAL: ((Method.EMAIL, 0),),
    Urgency.LOW: ((Method.EMAIL, 0),),
}
#: Quiet hours hold these back (never for on-duty messages); higher urgencies go at once.
HELD_IN_QUIET_HOURS = frozenset({Urgency.NORMAL, Urgency.LOW})
ROBOT_KINDS = (
    NotificationChannel.Kind.DINGTALK,
    NotificationChannel.Kind.WECOM,
    NotificationChannel.Kind.FEISHU,
    NotificationChannel.Kind.WEBHOOK,
)


# -- who wants what ----------------------------------------------------------------------


def profile_of(user) -> ContactProfile:
    """``user``'s contact profile (an unsaved empty one when they have none)."""
    try:
        return user.contact_profile
    except ContactProfile.DoesNotExist:
        return ContactProfile(user=user)


def rules_for(user, urgency: str) -> list[tuple[str, int]]:
    own = list(NotificationRule.objects.filter(user=user, urgency=urgency).values_list("method", "delay_minutes"))
    if own or NotificationRule.objects.filter(user=user).exists():
        return own  # a person who wrote rules gets exactly those (none: inbox only)
    return list(DEFAULT_RULES[urgency])


def email_of(user) -> str:
    return profile_of(user).email or user.email or ""


def quiet_until(profile: ContactProfile, now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (Asia/Shanghai), or None."""
    start, end = profile.quiet_start, profile.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(SHANGHAI)
    t = local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=SHANGHAI)


def gateway_for(contract_id: int | None) -> NotificationChannel | None:
    """The contract's SMS/voice gateway, else the platform's."""
    return _pick_gateway(NotificationChannel.objects.filter(_gateways_of(contract_id)), contract_id)


def _gateways_of(contract_id: int | None) -> Q:
    # Both in one read (every notify() with an SMS step asks).
    scope = Q(contract__isnull=True) | Q(contract_id=contract_id) if contract_id else Q(contract__isnull=True)
    return Q(kind=NotificationChannel.Kind.GATEWAY, active=True) & scope


def _pick_gateway(channels: Iterable[NotificationChannel], contract_id: int | None) -> NotificationChannel | None:
    """The contract's own gateway (the first by id), else the platform's."""
    gateways = [c for c in channels if c.kind == NotificationChannel.Kind.GATEWAY and c.active
                and (c.contract_id is None or c.contract_id == contract_id)]
    return min(gateways, key=lambda gateway: (gateway.contract_id is None, gateway.pk), default=None)


# -- rendering ---------------------------------------------------------------------------


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.WEIBAO_BASE_URL.rstrip("/") + "/" + url.lstrip("/")


def sms_text(subject: str, link: str, ack_url: str) -> str:
    text = f"维保：{subject}"
    if ack_url:
        text += f" 确认：{ack_url}"
    elif link:
        text += f" {link}"
    return text


def voice_text(subject: str) -> str:
    return f"维保紧急通知：{subject}。请尽快处理，并点击短信中的链接确认。"


def mention_of(user, kind: str, profile: ContactProfile | None = None) -> str:
    profile = profile if profile is not None else profile_of(user)
    if kind == NotificationChannel.Kind.DINGTALK:
        return profile.dingtalk_mobile or profile.mobile
    if kind == NotificationChannel.Kind.WECOM:
        return profile.wecom_mobile or profile.mobile
    if kind == NotificationChannel.Kind.FEISHU:
        return profile.feishu_name or user.get_full_name() or user.get_username()
    return user.get_username()


# -- notify ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    subject: str
    body: str
    contract_id: int | None
    link: str
    ack_url: str
    kind: str
    dedup_key: str
    urgency: str
    on_duty: bool
    collapse_delays: bool = False


def _users(users) -> list:
    if users is None:
        return []
    # One user, also a lazy request.user (which looks iterable to isinstance).
    if isinstance(users, models.Model) or not isinstance(users, Iterable):
        users = [users]
    distinct, seen = [], set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        distinct.append(user)
    return distinct


def notify(
    users,
    *,
    subject: str,
    body: str = "",
    contract=None,
    link: str = "",
    kind: str = "",
    dedup_key: str = "",
    urgency: str = Urgency.NORMAL,
    ack_url: str = "",
    on_duty: bool = False,
    channel_ids: Iterable[int] | None = (),
) -> list[Notification]:
    """Store one notification per distinct active recipient and queue its deliveries.

    ``dedup_key`` makes a repeat call a no-op for a recipient who already has it
    (e.g. "sla-breach:<clock id>"), so retried callers never double-notify; it is also
    what ``cancel_pending`` matches. ``urgency`` picks each recipient's rule (critical |
    high | normal | low); ``ack_url`` (signed by the caller) goes into every message;
    ``on_duty`` True means quiet hours do not apply (7×24 duty); ``channel_ids`` are
    NotificationChannel ids of ``contract`` to post to as well, @-mentioning the recipients
    (ids of another contract are skipped and logged).
    Returns the notifications created by this call.
    """
    if urgency not in Urgency.values:
        raise ValueError(f"urgency must be one of {Urgency.values}, not {urgency!r}")
    call = _Call(subject[:200], body, getattr(contract, "pk", None), link, ack_url, kind, dedup_key, urgency, on_duty)
    people = _users(users)
    channels, gateway = _channels(channel_ids, contract)
    known = _Known.load(people, call)
    if gateway is not _UNREAD:
        known._gateway.append(gateway)
    posts = [_channel_post(channel, people, call, known) for channel in channels]
    created, due_now = _notify_all([u for u in people if u.pk not in known.already], posts, call, known)
    if due_now:
        transaction.on_commit(lambda: _enqueue_all(due_now))
    return created


def send_test(user, urgency: str = Urgency.NORMAL) -> Notification | None:
    """"Send me a test": every step of ``user``'s rule for ``urgency``, now."""
    contract_ids = sorted(memberships_of(user))
    call = _Call(
        _("维保测试通知"), _("这是一条测试通知，用于确认您的联系方式可以收到消息。"),
        contract_ids[0] if contract_ids else None, "/notifications/settings/", "", "notification.test",
        "", urgency, True, collapse_delays=True,
    )
    made = _notify_one(user, call, _Known.load([user], call))
    if made is None:
        return None
    transaction.on_commit(lambda: [_enqueue(pk) for pk in made[1]])
    return made[0]


@dataclass
class _Known:
    """What one notify() call needs about its recipients, read in a few queries (1,000
    events a second fan out; a query per person and channel would not keep up)."""

    profiles: dict[int, ContactProfile]
    rules: dict[int, list[tuple[str, str, int]]]
    already: set[int]
    contract_id: int | None
    _gateway: list = field(default_factory=list)

    @classmethod
    def load(cls, people: list, call: _Call) -> _Known:
        ids = [u.pk for u in people]
        profiles = {p.user_id: p for p in ContactProfile.objects.filter(user_id__in=ids)} if ids else {}
        rules: dict[int, list] = {}
        if ids:
            for user_id, urgency, method, delay in NotificationRule.objects.filter(user_id__in=ids).values_list(
                "user_id", "urgency", "method", "delay_minutes"
            ):
                rules.setdefault(user_id, []).append((urgency, method, delay))
        already = set()
        if call.dedup_key and ids:
            already = set(Notification.objects.filter(recipient_id__in=ids, dedup_key=call.dedup_key)
                          .values_list("recipient_id", flat=True))
        return cls(profiles, rules, already, call.contract_id)

    def profile(self, user) -> ContactProfile:
        return self.profiles.get(user.pk) or ContactProfile(user=user)

    def steps(self, user, urgency: str) -> list[tuple[str, int]]:
        own = self.rules.get(user.pk)
        if own is not None:  # a person who wrote rules gets exactly those (none: inbox only)
            return [(method, delay) for u, method, delay in own if u == urgency]
        return list(DEFAULT_RULES[urgency])

    def gateway(self) -> NotificationChannel | None:
        if not self._gateway:
            self._gateway.append(gateway_for(self.contract_id))
        return self._gateway[0]


def _notify_all(people: list, posts: list[Delivery], call: _Call,
                known: _Known) -> tuple[list[Notification], list[int]]:
    """Everyone's inbox entry, their deliveries and the group channels' posts in two
    INSERTs; if a dedup_key raced in from another worker meanwhile (or a post was made
    by an earlier try), one by one instead (what is there already is skipped)."""
    if not people and not posts:
        return [], []
    try:
        with transaction.atomic():
            notes = Notification.objects.bulk_create([_notification(user, call) for user in people])
            deliveries = Delivery.objects.bulk_create(
                [d for user, note in zip(people, notes, strict=True) for d in _deliveries_for(user, note, call, known)]
                + posts
            )
    except IntegrityError:
        created, due_now = [], []
        for user in people:
            made = _notify_one(user, call, known)
            if made is not None:
                created.append(made[0])
                due_now += made[1]
        for post in posts:
            post.pk = None
            if _save_post(post):
                due_now.append(post.pk)
        return created, due_now
    now = clock.now()
    return notes, [d.pk for d in deliveries if d.next_attempt_at <= now]


def _notification(user, call: _Call) -> Notification:
    return Notification(
        recipient=user, contract_id=call.contract_id, subject=call.subject, body=call.body, link=call.link,
        ack_url=call.ack_url, urgency=call.urgency, kind=call.kind, dedup_key=call.dedup_key,
    )


def _notify_one(user, call: _Call, known: _Known) -> tuple[Notification, list[int]] | None:
    """The inbox entry and the deliveries of one recipient; the ids of those due now."""
    if user.pk in known.already:
        return None
    try:
        with transaction.atomic():
            note = _notification(user, call)
            note.save()
            deliveries = Delivery.objects.bulk_create(_deliveries_for(user, note, call, known))
    except IntegrityError:
        return None  # the same dedup_key raced in from another worker
    now = clock.now()
    return note, [d.pk for d in deliveries if d.next_attempt_at <= now]


def _deliveries_for(user, note: Notification, call: _Call, known: _Known) -> list[Delivery]:
    profile = known.profile(user)
    now = clock.now()
    held_until = None
    if not call.on_duty and call.urgency in HELD_IN_QUIET_HOURS:
        held_until = quiet_until(profile, now)
    link, ack = absolute(call.link), absolute(call.ack_url)
    made = []
    for method, delay in known.steps(user, call.urgency):
        if method == Method.EMAIL:
            address, text = profile.email or user.email or "", call.body
        else:
            address = profile.mobile
            text = sms_text(call.subject, link, ack) if method == Method.SMS else voice_text(call.subject)
        if not address:
            continue
        due = now + timedelta(minutes=0 if call.collapse_delays else delay)
        if held_until is not None:
            due = max(due, held_until)
        made.append(Delivery(
            notification=note, contract_id=note.contract_id, channel=method, address=address,
            target=known.gateway() if method != Method.EMAIL else None,
            subject=call.subject, text=text, link=link, ack_url=ack, urgency=call.urgency,
            dedup_key=call.dedup_key, until_acknowledged=delay > 0 and not call.collapse_delays,
            next_attempt_at=due, created_at=now,
        ))
    return made


_UNREAD = object()


def _channels(channel_ids: Iterable[int] | None, contract) -> tuple[list[NotificationChannel], object]:
    """The active robot/webhook channels of ``contract`` among ``channel_ids``, and in the
    same read its SMS/voice gateway (``_UNREAD`` when there was nothing to read). An id of
    another contract (or of none) is skipped with a warning, never posted to: a stale id in
    a caller's configuration must neither leak a message nor stop the people's own ones."""
    ids = [int(pk) for pk in channel_ids or ()]
    if not ids:
        return [], _UNREAD
    contract_id = getattr(contract, "pk", None)
    rows = list(NotificationChannel.objects.filter(Q(pk__in=ids, kind__in=ROBOT_KINDS) | _gateways_of(contract_id)))
    found = [c for c in rows if c.pk in ids and c.kind in ROBOT_KINDS]
    usable = [c for c in found if c.contract_id == contract_id and contract_id is not None]
    skipped = set(ids) - {c.pk for c in usable}
    if skipped:
        log.warning("notify: channels %s are not group channels of contract %s; skipped", sorted(skipped), contract_id)
    return [c for c in usable if c.active], _pick_gateway(rows, contract_id)


def _channel_post(channel: NotificationChannel, people: list, call: _Call, known: _Known) -> Delivery:
    """The message to a group channel, @-mentioning the recipients (unsaved)."""
    mentions = [m for m in (mention_of(u, channel.kind, known.profile(u)) for u in people) if m]
    return Delivery(
        contract_id=channel.contract_id, target=channel, channel=channel.kind, address=channel.name[:254],
        subject=call.subject, text=call.body, link=absolute(call.link), ack_url=absolute(call.ack_url),
        mentions=mentions, urgency=call.urgency, dedup_key=call.dedup_key, next_attempt_at=clock.now(),
    )


def _save_post(post: Delivery) -> bool:
    try:
        with transaction.atomic():
            post.save(force_insert=True)
        return True
    except IntegrityError:
        return False  # already posted for this dedup_key


def cancel_pending(dedup_key_prefix: str, *, contract=None) -> int:
    """Cancel the delayed "unless acknowledged" steps (voice after 5 minutes…) of the
    notifications whose dedup_key starts with ``dedup_key_prefix``; returns how many.
    Steps already sent or due at once are left alone."""
    if not dedup_key_prefix:
        return 0
    pending = Delivery.objects.filter(
        status=Delivery.Status.PENDING, until_acknowledged=True, dedup_key__startswith=dedup_key_prefix
    )
    if contract is not None:
        pending = pending.filter(contract=contract)
    return pending.update(status=Delivery.Status.CANCELLED, last_error="已确认，取消后续提醒")


# -- sending -----------------------------------------------------------------------------


def _enqueue_all(delivery_ids: list[int]) -> None:
    """One task per delivery (workers send them side by side), queued in one write."""
    try:
        from weibao.notifications.tasks import deliver

        enqueue_all([deliver.s(pk) for pk in delivery_ids])
    except Exception:  # noqa: BLE001 - stored; the periodic retry sweep sends them
        log.warning("deliveries %s not queued now; the retry sweep will send them", delivery_ids)


def _enqueue(delivery_id: int) -> None:
    try:
        from weibao.notifications.tasks import deliver

        deliver(delivery_id)
    except Exception:  # noqa: BLE001 - stored; the periodic retry sweep sends it
        log.warning("delivery %s not queued now; the retry sweep will send it", delivery_id)


def _lease(delivery: Delivery) -> timedelta:
    # Long enough for every request of one attempt to finish or time out; a worker killed
    # mid-send leaves the delivery claimed until then, and the sweep sends it again after.
    requests = len(segments(delivery.text)) if delivery.channel == Delivery.Channel.SMS else 1
    email = settings.EMAIL_TIMEOUT if delivery.channel == Delivery.Channel.EMAIL else 0
    return timedelta(seconds=max(timeout() * requests, email) + 10)


def backoff(attempts: int) -> timedelta:
    """30 s, 1, 2, 4 … minutes, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def rate_limit(channel: NotificationChannel) -> int:
    if channel.rate_per_minute:
        return channel.rate_per_minute
    adapter = ADAPTERS.get(channel.kind)
    return adapter.default_rate_per_minute if adapter else 0


def _claim(delivery: Delivery, now: datetime) -> str:
    """"claimed", "busy" (not pending / not due / someone else has it) or "throttled"."""
    due = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        channel = None
        if delivery.target_id and delivery.channel in ROBOT_KINDS:
            # Row lock on the channel: claims on one robot take turns, so the count below
            # is exact (PostgreSQL; SQLite serialises writers anyway).
            channel = NotificationChannel.objects.select_for_update().filter(pk=delivery.target_id).first()
        limit = rate_limit(channel) if channel is not None else 0
        if limit:
            window = list(
                Delivery.objects.filter(target_id=channel.pk, last_attempt_at__gt=now - timedelta(minutes=1))
                .exclude(pk=delivery.pk).order_by("-last_attempt_at").values_list("last_attempt_at", flat=True)[:limit]
            )
            if len(window) >= limit:
                # Queue, never drop: come back when the oldest send of the window leaves it.
                due.update(next_attempt_at=window[-1] + timedelta(minutes=1, seconds=1))
                return "throttled"
        claimed = due.update(attempts=F("attempts") + 1, next_attempt_at=now + _lease(delivery), last_attempt_at=now)
    return "claimed" if claimed else "busy"


def config_of(delivery: Delivery) -> ChannelConfig:
    channel = delivery.target
    if delivery.channel in (Delivery.Channel.SMS, Delivery.Channel.VOICE) and (channel is None or not channel.active):
        channel = gateway_for(delivery.contract_id)
        if channel is None:
            raise SendFailed("未配置短信/语音网关 / no SMS or voice gateway configured")
    if channel is None:
        if delivery.channel != Delivery.Channel.EMAIL:
            raise SendFailed("渠道已删除 / the channel was deleted")
        return ChannelConfig()
    try:
        return ChannelConfig(
            endpoint=stored_secrets.reveal(channel.endpoint), secret=stored_secrets.reveal(channel.secret),
            message_format=channel.message_format, options=channel.options or {},
        )
    except stored_secrets.UnreadableSecret as exc:
        raise SendFailed(str(exc)) from exc


def message_of(delivery: Delivery) -> Message:
    note = delivery.notification
    subject = delivery.subject or (note.subject if note else "")
    text = delivery.text or (note.body if note and delivery.channel == Delivery.Channel.EMAIL else "")
    link = delivery.link or (absolute(note.link) if note else "")
    return Message(
        subject=subject, text=text, address=delivery.address, link=link, ack_url=delivery.ack_url,
        mentions=tuple(delivery.mentions or ()), idempotency_key=delivery.idempotency_key,
        urgency=delivery.urgency, part=delivery.parts_sent,
    )


def send_delivery(delivery_id: int) -> bool:
    """One attempt at one delivery; True when it is (now or already) sent."""
    delivery = Delivery.objects.select_related("notification", "target").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == Delivery.Status.SENT:
        return delivery is not None
    now = clock.now()
    if _claim(delivery, now) != "claimed":
        return False
    delivery.refresh_from_db(fields=["attempts", "parts_sent", "status"])
    try:
        answer = ADAPTERS[delivery.channel].send(message_of(delivery), config_of(delivery))
    except SendFailed as exc:
        _failed(delivery, exc)
        return False
    except Exception as exc:  # noqa: BLE001 - an adapter bug is a failed attempt, kept and retried
        log.exception("delivery %s: adapter error", delivery.pk)
        _failed(delivery, SendFailed(f"{type(exc).__name__}: {exc}"))
        return False
    _mark_sent(delivery, answer)
    return True


def _mark_sent(delivery: Delivery, answer: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=clock.now(), last_error="", provider_response=answer[:4000]
    )


def _failed(delivery: Delivery, exc: SendFailed) -> None:
    now = clock.now()
    changes = {"last_error": str(exc)[:2000], "provider_response": (exc.answer or "")[:4000]}
    if exc.parts_sent is not None:
        changes["parts_sent"] = exc.parts_sent
    if exc.rate_limited:
        # The platform's own limit: wait a minute, and it is not held against the delivery.
        changes.update(attempts=F("attempts") - 1, next_attempt_at=now + timedelta(minutes=1))
    else:
        failed = exc.final or delivery.attempts >= MAX_ATTEMPTS
        changes.update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            next_attempt_at=now + backoff(delivery.attempts),
        )
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(**changes)
    log.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)


def attempt_delivery(delivery: Delivery) -> bool:
    """Kept for callers of the first version: one attempt at ``delivery``."""
    return send_delivery(delivery.pk)


def retry_due(limit: int = 200) -> int:
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=clock.now()
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(due) if send_delivery(pk))


def retry_now(delivery: Delivery, *, by=None) -> bool:
    """A fresh series of attempts for a failed (or waiting) delivery, queued for the
    worker. Same idempotency key: a receiver that had it already drops the repeat. False
    when it is sent, cancelled, or may be on its way right now (a claim younger than the
    lease: a second sender then could double it)."""
    if delivery.status in (Delivery.Status.SENT, Delivery.Status.CANCELLED):
        return False
    now = clock.now()
    in_flight = models.Q(status=Delivery.Status.PENDING, last_attempt_at__gt=now - _lease(delivery))
    changed = Delivery.objects.filter(pk=delivery.pk).filter(
        models.Q(status=Delivery.Status.FAILED) | (models.Q(status=Delivery.Status.PENDING) & ~in_flight)
    ).update(status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now)
    if not changed:
        return False
    audit.record("notification.delivery.retry", obj=delivery, actor=by, contract=delivery.contract,
                 detail={"channel": delivery.channel})
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return True


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def quiet_hours_label(profile: ContactProfile) -> str:
    if profile.quiet_start is None or profile.quiet_end is None:
        return ""
    return f"{profile.quiet_start:%H:%M}–{profile.quiet_end:%H:%M}"


__all__ = ["cancel_pending", "notify", "send_delivery", "retry_due", "retry_now", "send_test"]
