"""The probe runner's database side (decision 0018): claiming due checks under a row lease
and flushing results. Synchronous Django, run on one thread of the runner.

Claiming locks the due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and, in the same
transaction, moves each one's ``next_due_at`` one interval on and writes the lease
(owner, expiry = due + timeout). A due check is therefore claimed by exactly one runner:
no monitor is checked twice in one interval, and if the runner that claimed it dies,
the next due check is claimed by any runner alive — a dead runner's monitors are
taken over within two intervals. On SQLite the lock is a no-op: run one runner there.
"""

from __future__ import annotations

import datetime as dt

from django.db import close_old_connections, transaction

from weibao.monitoring import services
from weibao.monitoring.bulk import update_monitors
from weibao.monitoring.models import Monitor
from weibao.monitoring.probes.checks import Spec

FIELDS = ("id", "kind", "target", "config", "timeout_seconds", "interval_seconds", "grace_seconds",
          "last_ping_at", "last_ping_failed", "created_at", "next_due_at")


LATE = 1.0  # seconds: a check started later than this moves its schedule along


def next_due(due: dt.datetime, interval: int, now: dt.datetime, monitor_id: int) -> tuple[dt.datetime, bool]:
    """When the check after the one due at ``due`` is due, and whether to run this one.

    On time: one interval after ``due``. Late (a runner just started or took over): run
    now and the next one interval after now, so no two checks fall within one interval.
    Later than a whole interval (every runner was stopped): skip the stale check and
    resume at the monitor's phase within the coming interval, so a backlog never
    arrives all at once."""
    late = (now - due).total_seconds()
    if late > interval:
        return now + dt.timedelta(seconds=services.phase(monitor_id, interval)), False
    if late > LATE:
        return now + dt.timedelta(seconds=interval), True
    return due + dt.timedelta(seconds=interval), True


def claim(owner: str, now: dt.datetime, horizon: dt.datetime, limit: int) -> list[tuple[Spec, dt.datetime]]:
    """Lease up to ``limit`` checks due before ``horizon``: ``(spec, due)`` pairs."""
    close_old_connections()
    claimed = []
    with transaction.atomic():
        rows = list(
            Monitor.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(enabled=True, next_due_at__lte=horizon)
            .order_by("next_due_at")
            .only(*FIELDS)[:limit]
        )
        for monitor in rows:
            due = monitor.next_due_at
            every = services.cadence(monitor.kind, monitor.interval_seconds)
            monitor.next_due_at, run_now = next_due(due, every, now, monitor.pk)
            monitor.lease_owner = owner
            monitor.lease_expires_at = max(due, now) + dt.timedelta(seconds=monitor.timeout_seconds)
            if not run_now:
                continue
            claimed.append((Spec(
                id=monitor.pk, kind=monitor.kind, target=monitor.target, config=monitor.config,
                timeout=float(monitor.timeout_seconds), interval=monitor.interval_seconds,
                grace=monitor.grace_seconds, last_ping_at=monitor.last_ping_at,
                last_ping_failed=monitor.last_ping_failed, created_at=monitor.created_at,
            ), due))
        if rows:
            update_monitors(rows, ["next_due_at", "lease_owner", "lease_expires_at"])
    return claimed


def flush(results: list, owner: str) -> int:
    close_old_connections()
    return services.apply_results(results, owner=owner)


def schedule_all(now: dt.datetime) -> int:
    """Give every enabled monitor without a due time its phase (e.g. after an import)."""
    pending = list(Monitor.objects.filter(enabled=True, next_due_at__isnull=True).only("id", "kind", "interval_seconds"))
    for monitor in pending:
        monitor.next_due_at = services.first_due(monitor, now)
    update_monitors(pending, ["next_due_at"])
    return len(pending)
