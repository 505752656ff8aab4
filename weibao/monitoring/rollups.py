"""Compact storage of check results: per-minute and per-hour rollups (kept for the term)
and the expiry of raw results after ``WEIBAO_PROBE_RAW_DAYS`` (default 7).

Decision 0018: on PostgreSQL the raw table has a partition per day, dropped whole once
older than the window (``partitions``); on SQLite raw results are expired with a
batched delete on their ``at`` index.
Rollups are recomputed for a trailing window each run (delete + insert in one
transaction): idempotent, and a late flush is counted at the next run.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncHour, TruncMinute

from weibao.monitoring import partitions
from weibao.monitoring.models import CheckResult, Rollup

RAW_DAYS = settings.WEIBAO_PROBE_RAW_DAYS
DELETE_BATCH = 5000
UTC = dt.UTC


def _floor(moment: dt.datetime, unit: str) -> dt.datetime:
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return moment.replace(minute=0) if unit == "h" else moment


def roll_up(now: dt.datetime, *, minutes_back: int = 15, hours_back: int = 3) -> tuple[int, int]:
    """Recompute the minute buckets of the last ``minutes_back`` closed minutes and the
    hour buckets of the last ``hours_back`` hours (the current one included, partial)."""
    end = _floor(now, "m")
    start = end - dt.timedelta(minutes=minutes_back)
    minute_rows = [
        Rollup(monitor_id=row["monitor_id"], resolution="m", bucket=row["bucket"], checks=row["checks"],
               failures=row["failures"], latency_sum_ms=row["lat_sum"] or 0, latency_max_ms=row["lat_max"] or 0)
        for row in CheckResult.objects.filter(at__gte=start, at__lt=end)
        .annotate(bucket=TruncMinute("at", tzinfo=UTC)).values("monitor_id", "bucket")
        .annotate(checks=Count("id"), failures=Count("id", filter=Q(ok=False)),
                  lat_sum=Sum("latency_ms", filter=Q(ok=True)), lat_max=Max("latency_ms", filter=Q(ok=True)))
    ]
    with transaction.atomic():
        Rollup.objects.filter(resolution="m", bucket__gte=start, bucket__lt=end).delete()
        Rollup.objects.bulk_create(minute_rows, batch_size=1000)
    hour_end = _floor(now, "h") + dt.timedelta(hours=1)
    hour_start = hour_end - dt.timedelta(hours=hours_back)
    hour_rows = [
        Rollup(monitor_id=row["monitor_id"], resolution="h", bucket=row["hour"], checks=row["c"],
               failures=row["f"], latency_sum_ms=row["s"] or 0, latency_max_ms=row["mx"] or 0)
        for row in Rollup.objects.filter(resolution="m", bucket__gte=hour_start, bucket__lt=hour_end)
        .annotate(hour=TruncHour("bucket", tzinfo=UTC)).values("monitor_id", "hour")
        .annotate(c=Sum("checks"), f=Sum("failures"), s=Sum("latency_sum_ms"), mx=Max("latency_max_ms"))
    ]
    with transaction.atomic():
        Rollup.objects.filter(resolution="h", bucket__gte=hour_start, bucket__lt=hour_end).delete()
        Rollup.objects.bulk_create(hour_rows, batch_size=1000)
    return len(minute_rows), len(hour_rows)


def expire_raw(now: dt.datetime, days: int = RAW_DAYS) -> int:
    """Keep raw results for ``days``: on a partitioned table (PostgreSQL) run the
    partitions' upkeep (create ahead, drop whole days), then delete older rows in batches
    where no day partition holds them. Answers the rows deleted one by one (a dropped
    partition's rows are not counted)."""
    cutoff = now - dt.timedelta(days=days)
    deleted = 0
    if partitions.partitioned():
        deleted = partitions.upkeep(now, days=days).deleted
        cutoff = partitions.before_day_partitions(cutoff)
    return deleted + delete_before(cutoff)


def delete_before(cutoff: dt.datetime) -> int:
    """Delete raw results older than ``cutoff`` in batches (short locks, steady WAL)."""
    deleted = 0
    while True:
        ids = list(CheckResult.objects.filter(at__lt=cutoff).order_by("at").values_list("id", flat=True)[:DELETE_BATCH])
        if not ids:
            return deleted
        # ``at`` too: on PostgreSQL it prunes the partitions the ids are looked up in.
        deleted += CheckResult.objects.filter(id__in=ids, at__lt=cutoff).delete()[0]
