"""Rate limits that hold across web processes (the database keeps the counters)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from weibao.core import clock
from weibao.core.models import RateCounter


def client_ip(request) -> str:
    from weibao.core.request_context import client_ip as address

    return address(request) or "unknown"


def hit(key: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt for ``key``; False when the limit for this window is exceeded."""
    start = _window_start(window)
    updated = RateCounter.objects.filter(key=key[:200], window_start=start).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key[:200], window_start=start, count=1)
        except IntegrityError:
            RateCounter.objects.filter(key=key[:200], window_start=start).update(count=F("count") + 1)
    count = RateCounter.objects.filter(key=key[:200], window_start=start).values_list("count", flat=True).first()
    return (count or 0) <= limit


def _window_start(window: timedelta):
    now = clock.now()
    seconds = int(window.total_seconds())
    return now - timedelta(seconds=int(now.timestamp()) % seconds, microseconds=now.microsecond)


def over(key: str, *, limit: int, window: timedelta) -> bool:
    """Whether ``key`` has already used up this window's ``limit`` (counts nothing)."""
    count = (
        RateCounter.objects.filter(key=key[:200], window_start=_window_start(window))
        .values_list("count", flat=True).first()
    )
    return (count or 0) >= limit


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = RateCounter.objects.filter(window_start__lt=clock.now() - older_than).delete()
    return deleted
