"""``publish()``: the one internal event stream.

SLA warnings and breaches publish here today; monitor state changes, alerts and
incidents will too (roadmap items 5 and 6), and escalation policies will subscribe.

Delivery guarantees: the event row is written in the publisher's transaction (so an
event exists exactly when the change that caused it does). After commit a task runs
the subscribers; if the queue is unreachable, the periodic sweep picks the event up.
Subscribers must be idempotent: a crash between running them and marking the event
dispatched re-runs them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import models, transaction

from weibao.core import clock

log = logging.getLogger(__name__)

Subscriber = Callable[["Event"], None]  # noqa: F821
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(event_type: str) -> Callable[[Subscriber], Subscriber]:
    """Decorator: run ``func(event)`` for every event of ``event_type`` ("*" for all)."""

    def register(func: Subscriber) -> Subscriber:
        if func not in _subscribers[event_type]:
            _subscribers[event_type].append(func)
        return func

    return register


def publish(event_type: str, *, contract, payload: dict | None = None, obj: models.Model | None = None):
    from weibao.core.models import Event

    event = Event.objects.create(
        contract=contract,
        type=event_type,
        payload=payload or {},
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    transaction.on_commit(lambda: _enqueue(event.pk))
    return event


def _enqueue(event_id: int) -> None:
    try:
        from weibao.core.tasks import dispatch_event

        dispatch_event(event_id)
    except Exception:  # noqa: BLE001 - the sweep will retry; the event is stored
        log.warning("event %s not queued now; the sweep will dispatch it", event_id, exc_info=True)


def dispatch(event) -> None:
    """Run every subscriber of ``event`` and mark it dispatched, all in one transaction.

    The event row is locked first and skipped if already dispatched, so two workers never
    both run it; a worker killed mid-dispatch rolls everything back and the periodic sweep
    runs it again — subscribers' database effects happen exactly once. Each subscriber
    runs in its own savepoint: one failing does not undo the others, the event is retried.
    """
    from weibao.core.models import Event

    with transaction.atomic():
        locked = (
            Event.objects.select_for_update().filter(pk=event.pk, dispatched_at__isnull=True).first()
        )
        if locked is None:
            return
        errors = []
        for func in [*_subscribers.get(locked.type, []), *_subscribers.get("*", [])]:
            try:
                with transaction.atomic():
                    func(locked)
            except Exception as exc:  # noqa: BLE001 - one failing subscriber must not stop others
                log.exception("subscriber %s failed for event %s", func.__name__, locked.pk)
                errors.append(f"{func.__name__}: {exc}")
        if errors:
            Event.objects.filter(pk=locked.pk).update(
                attempts=models.F("attempts") + 1, last_error="\n".join(errors)[:4000]
            )
        else:
            Event.objects.filter(pk=locked.pk).update(
                dispatched_at=clock.now(), attempts=models.F("attempts") + 1, last_error=""
            )
