"""Daily partitions of the raw results table on PostgreSQL (decision 0018).

``monitoring_checkresult`` is ``PARTITION BY RANGE (at)`` with one partition per
Asia/Shanghai day (``monitoring_checkresult_p20261206``), a default partition that takes
any row no day partition covers (an insert never fails for want of a partition) and,
after the migration, a ``_legacy`` partition holding the rows of the former plain table.
The database key is ``(id, at)``; Django's model keeps ``id`` as its primary key (ids
still come from one identity sequence) and no table may point a foreign key at it.

``upkeep`` runs hourly (``rollups.expire_raw``): it creates the day partitions of today
and the next ``AHEAD_DAYS`` days, gives rows that fell into the default partition a
partition of their day, detaches and drops every partition wholly older than the raw
window; the batched delete then removes what is older than the window outside the day
partitions (the legacy partition in its first week). A day partition straddling the
boundary waits until it is whole: raw results are kept for the window plus at most one
day, and no row of a day partition is ever deleted one by one (no dead tuples to vacuum).

Each step is its own short transaction with a lock timeout: attaching and detaching lock
the parent table briefly; a step that cannot have its lock in time is skipped and tried
again at the next run (partitions are made two days ahead, so there is time).
SQLite keeps the plain table and the batched delete (``rollups.expire_raw``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction

from weibao.core.clock import SHANGHAI

log = logging.getLogger(__name__)

TABLE = "monitoring_checkresult"
DEFAULT = f"{TABLE}_default"
COLUMNS = "id, at, ok, latency_ms, status, error, lag_ms, monitor_id"
AHEAD_DAYS = 2  # partitions made for today and the next two days
LOCK_TIMEOUT = "3s"
LOCK_NOT_AVAILABLE = "55P03"
_BOUNDS = re.compile(r"FROM \((?P<start>[^)]*)\) TO \((?P<end>[^)]*)\)")


@dataclass(frozen=True)
class Partition:
    name: str
    start: dt.datetime | None  # None: from the beginning (MINVALUE), or the default partition
    end: dt.datetime | None  # None: without end (MAXVALUE), or the default partition
    is_default: bool = False

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        if self.is_default:
            return False
        return (self.start is None or self.start < end) and (self.end is None or start < self.end)


@dataclass
class Upkeep:
    """What one run did: partitions created and dropped, rows moved out of the default
    partition, rows deleted one by one, steps skipped for a lock (retried next run)."""

    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    moved: int = 0
    deleted: int = 0
    skipped: list[str] = field(default_factory=list)


def partitioned() -> bool:
    """Whether the raw results table is partitioned (PostgreSQL after the migration)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [TABLE])
        return cursor.fetchone()[0]


def _bound(text: str) -> dt.datetime | None:
    text = text.strip()
    if text in ("MINVALUE", "MAXVALUE"):
        return None
    return dt.datetime.fromisoformat(text.strip("'"))


def partitions() -> list[Partition]:
    """The table's partitions in order of time, the default one last."""
    # Bounds name no column: pg_get_expr needs no relation (given one, it would wait on
    # that partition's lock, e.g. behind another run attaching a partition).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, 0) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = _BOUNDS.search(bound)
        if match is None:
            found.append(Partition(name, None, None, is_default=True))
        else:
            found.append(Partition(name, _bound(match["start"]), _bound(match["end"])))
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda p: (p.is_default, p.start or earliest))


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[day 00:00, next day 00:00) in Asia/Shanghai."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)


def name_for(day: dt.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


@contextlib.contextmanager
def _step(report: Upkeep, name: str) -> Iterator[object]:
    """One short transaction that gives up on a lock it cannot have within LOCK_TIMEOUT."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            yield cursor
    except OperationalError as error:
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        log.warning("raw results upkeep: %s skipped, its lock was busy", name)
        report.skipped.append(name)


def create_day(day: dt.date, report: Upkeep) -> None:
    """Create the partition of ``day``, moving into it the rows the default partition
    holds for that day (attaching would otherwise fail), then attach it: ATTACH needs
    only a SHARE UPDATE EXCLUSIVE lock on the parent where CREATE … PARTITION OF takes
    an ACCESS EXCLUSIVE one."""
    name = name_for(day)
    start, end = day_bounds(day)
    with _step(report, name) as cursor:
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE at >= %s AND at < %s RETURNING {COLUMNS}) "  # noqa: S608 - constant names
            f"INSERT INTO {name} ({COLUMNS}) SELECT {COLUMNS} FROM moved",
            [start, end],
        )
        moved = cursor.rowcount
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
        report.created.append(name)
        report.moved += moved


def drop(partition: Partition, report: Upkeep) -> None:
    # DETACH … CONCURRENTLY is refused while a default partition exists: a plain DETACH
    # (a brief ACCESS EXCLUSIVE lock on the parent) under the step's lock timeout.
    with _step(report, partition.name) as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}")
        cursor.execute(f"DROP TABLE {partition.name}")
        report.dropped.append(partition.name)


def upkeep(now: dt.datetime, *, days: int, ahead: int = AHEAD_DAYS) -> Upkeep:
    """Create partitions ahead, give the default partition's rows their day, drop the
    partitions wholly older than ``days`` and delete the default partition's older rows."""
    report = Upkeep()
    cutoff = now - dt.timedelta(days=days)
    strays: set[dt.date] = set()
    with _step(report, DEFAULT) as cursor:
        cursor.execute(f"DELETE FROM {DEFAULT} WHERE at < %s", [cutoff])  # noqa: S608 - constant name
        report.deleted += cursor.rowcount
        cursor.execute(f"SELECT DISTINCT (at AT TIME ZONE 'Asia/Shanghai')::date FROM {DEFAULT}")  # noqa: S608
        strays = {row[0] for row in cursor.fetchall()}
    today = now.astimezone(SHANGHAI).date()
    wanted = strays | {today + dt.timedelta(days=i) for i in range(ahead + 1)}
    existing = partitions()
    for day in sorted(wanted):
        start, end = day_bounds(day)
        if end <= cutoff or any(p.overlaps(start, end) for p in existing):
            continue  # a stray row of a day partly covered waits in the default partition for the cutoff
        create_day(day, report)
    for partition in partitions():
        if not partition.is_default and partition.end is not None and partition.end <= cutoff:
            drop(partition, report)
    if report.created or report.dropped or report.moved or report.deleted or report.skipped:
        log.info("raw results upkeep: created %s, dropped %s, moved %d, deleted %d, skipped %s",
                 report.created, report.dropped, report.moved, report.deleted, report.skipped)
    return report


def before_day_partitions(cutoff: dt.datetime) -> dt.datetime:
    """The bound under which rows may be deleted one by one: the cutoff, or the start of
    the first day partition if earlier (the legacy partition and the default one only)."""
    starts = [p.start for p in partitions() if p.start is not None and p.name.startswith(f"{TABLE}_p")]
    return min([cutoff, *starts])
