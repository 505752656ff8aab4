"""Background jobs of the core: event dispatch and its safety-net sweep."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, periodic_task

from weibao.core import clock, health
from weibao.core.db_retry import retry_when_locked

MAX_EVENT_ATTEMPTS = 10


@db_task(retries=3, retry_delay=10)
def dispatch_event(event_id: int) -> None:
    from weibao.core.events import dispatch
    from weibao.core.models import Event

    event = Event.objects.filter(pk=event_id, dispatched_at__isnull=True).first()
    if event is not None:
        # One transaction that begins by taking the lock: refused, it did nothing yet.
        retry_when_locked(dispatch)(event)


@db_periodic_task(crontab(minute="*"))
def sweep_undispatched_events() -> int:
    """Dispatch events whose after-commit task never ran (queue down, worker killed)."""
    from weibao.core.events import dispatch
    from weibao.core.models import Event

    stale = clock.now() - timedelta(seconds=settings.WEIBAO_EVENT_SWEEP_AFTER_SECONDS)
    pending = Event.objects.filter(
        dispatched_at__isnull=True, created_at__lt=stale, attempts__lt=MAX_EVENT_ATTEMPTS
    ).order_by("created_at")[:500]
    count = 0
    for event in pending:
        retry_when_locked(dispatch)(event)
        count += 1
    return count


@db_periodic_task(crontab(minute="17"))
def prune_rate_counters() -> int:
    from weibao.core.ratelimit import prune

    return retry_when_locked(prune)()


@periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Each minute: the system administrator's home shows the worker and scheduler alive."""
    health.beat()


@db_periodic_task(crontab(hour="3", minute="23"))
@retry_when_locked
def refresh_query_planner_statistics() -> bool:
    """SQLite only, each night: refresh the planner's statistics. Without them it picks
    its indexes by guesswork, and as the tickets grow a filtered list can take a row read
    per ticket instead of one index (migration servicedesk 0013). ``analysis_limit`` reads
    a sample of each index, so the write lock is held for milliseconds, not for a scan of
    every table. PostgreSQL's autovacuum analyses by itself. True when it ran."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    return True
