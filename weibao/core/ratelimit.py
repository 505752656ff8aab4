"""Rate limits that hold across web processes (the database keeps the counters).

A sliding log, not fixed windows: each counted attempt is a ``RateCounter`` row stamped
with its instant (``window_start`` holds that instant; ``count`` is above 1 only when
attempts share one, as under a frozen test clock), and a limit asks how many rows fall in
the ``window`` before now. Any stretch of ``window`` therefore holds at most ``limit``
attempts: a burst just before and just after a calendar boundary cannot double it, as it
could with one counter per 10-minute slot.

Attempts that ``hit`` refuses are not stored (unless ``count_refused``), so a key holds at
most ``limit`` rows per window whatever a client sends, and a client that slows down gets
through again as its oldest attempts leave the window.

Check-and-count is serialised per key by a lock row (``window_start`` = ``LOCK_STAMP``)
taken with ``SELECT … FOR UPDATE`` (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises
writers anyway), so concurrent requests in several processes cannot all read "one left".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F, Sum

from weibao.core import clock
from weibao.core.models import RateCounter

#: The stamp of each key's lock row; older than any window, so never counted.
LOCK_STAMP = datetime(1970, 1, 1, tzinfo=UTC)


def client_ip(request) -> str:
    from weibao.core.request_context import client_ip as address

    return address(request) or "unknown"


def hit(key: str, *, limit: int, window: timedelta, count_refused: bool = False) -> bool:
    """Count one attempt for ``key``; False when ``limit`` attempts were already counted
    in the last ``window`` (the refused attempt is then not counted unless
    ``count_refused``: a failed login counts even from an address already limited)."""
    key = key[:200]
    with transaction.atomic():
        _lock(key)
        allowed = _used(key, window) < limit
        if allowed or count_refused:
            _count(key, clock.now())
    return allowed


def over(key: str, *, limit: int, window: timedelta) -> bool:
    """Whether ``key`` has already used up its ``limit`` in the last ``window`` (counts nothing)."""
    return _used(key[:200], window) >= limit


def retry_after(key: str, *, limit: int, window: timedelta) -> timedelta:
    """How long until ``key`` may make an attempt again (zero when it may now): until
    enough of its oldest counted attempts have left the window. For ``Retry-After``."""
    now = clock.now()
    rows = list(
        RateCounter.objects.filter(key=key[:200], window_start__gt=now - window)
        .order_by("window_start").values_list("window_start", "count")
    )
    excess = sum(count for _, count in rows) - limit + 1  # attempts that must leave first
    for stamp, count in rows:
        if excess <= 0:
            break
        excess -= count
        if excess <= 0:
            return max(stamp + window - now, timedelta(0))
    return timedelta(0)


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    """Forget attempts (and idle keys' lock rows) older than ``older_than``; no limit here
    has a longer window."""
    deleted, _ = RateCounter.objects.filter(window_start__lt=clock.now() - older_than).delete()
    return deleted


def _lock(key: str) -> None:
    RateCounter.objects.select_for_update().get_or_create(key=key, window_start=LOCK_STAMP)


def _used(key: str, window: timedelta) -> int:
    # Only a lower bound: a row stamped after "now" (a clock set back) is recent, not gone.
    rows = RateCounter.objects.filter(key=key, window_start__gt=clock.now() - window)
    return rows.aggregate(total=Sum("count"))["total"] or 0


def _count(key: str, at: datetime) -> None:
    if not RateCounter.objects.filter(key=key, window_start=at).update(count=F("count") + 1):
        RateCounter.objects.create(key=key, window_start=at, count=1)
