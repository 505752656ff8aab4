"""Raw results in daily partitions on PostgreSQL (decision 0018): each row in the partition
of its Shanghai day, a default partition for rows no partition covers, upkeep that makes
partitions ahead and drops whole days past the window while rollups stay, and the
migration that attaches an existing plain table without copying it. PostgreSQL only:
SQLite keeps the plain table (``test_runner`` covers its batched delete)."""

from __future__ import annotations

import datetime as dt
import os

import psycopg
import pytest
from django.db import connection

from weibao.core.clock import SHANGHAI
from weibao.monitoring import partitions, rollups, selectors, services
from weibao.monitoring.models import CheckResult, Rollup
from weibao.monitoring.probes.checks import Result

pytestmark = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""), reason="time partitions are PostgreSQL's"
)

MIGRATION = "0002_partition_raw_results_by_day"
# 2030-01-10 10:00 in Shanghai: far from the days the test database's migration made.
NOON = dt.datetime(2030, 1, 10, 10, 0, tzinfo=SHANGHAI)


def where(ids) -> dict[int, str]:
    """The partition each result's row is in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tableoid::regclass::text FROM monitoring_checkresult WHERE id = ANY(%s)", [list(ids)])
        return dict(cursor.fetchall())


def names() -> list[str]:
    return [p.name for p in partitions.partitions()]


def store(monitor, *moments, ok=True) -> list[int]:
    """Results as the probe runner flushes them; their ids."""
    services.apply_results([(monitor.pk, Result(ok, 12), at, 0) for at in moments])
    return list(CheckResult.objects.filter(monitor=monitor, at__in=moments).values_list("id", flat=True))


@pytest.fixture(autouse=True)
def checked_at_once(db):
    """Foreign keys checked at each insert, not at the commit a test never reaches: a
    table with pending checks cannot be attached, detached or dropped (in production
    each upkeep step is a transaction of its own)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def monitor(contract, pm, component):
    return services.create_monitor(contract, by=pm, name="门户", kind="tcp", target="127.0.0.1:9", component=component)


@pytest.mark.django_db
def test_upkeep_makes_today_and_two_days_ahead_and_rows_land_in_their_shanghai_day(monitor, clock):
    clock.set_now(NOON)
    report = partitions.upkeep(clock.now(), days=7)
    assert report.created == [f"monitoring_checkresult_p2030011{d}" for d in (0, 1, 2)]
    assert partitions.upkeep(clock.now(), days=7).created == []  # nothing twice
    last_second = dt.datetime(2030, 1, 10, 23, 59, 59, tzinfo=SHANGHAI)
    midnight = dt.datetime(2030, 1, 11, 0, 0, tzinfo=SHANGHAI)  # 16:00 UTC: the new day's first instant
    early, late = store(monitor, last_second), store(monitor, midnight)
    assert where(early + late) == {early[0]: "monitoring_checkresult_p20300110",
                                   late[0]: "monitoring_checkresult_p20300111"}


@pytest.mark.django_db
def test_a_result_no_partition_covers_goes_to_the_default_and_upkeep_gives_it_its_day(monitor, clock):
    clock.set_now(NOON)
    partitions.upkeep(clock.now(), days=7)
    # The runner's insert at 00:00 of a day nobody made a partition for (upkeep stopped).
    new_day = dt.datetime(2030, 1, 14, 0, 0, tzinfo=SHANGHAI)
    ids = store(monitor, new_day, new_day + dt.timedelta(hours=3), ok=False)
    assert set(where(ids).values()) == {"monitoring_checkresult_default"}
    clock.set_now(new_day + dt.timedelta(hours=5))
    report = partitions.upkeep(clock.now(), days=7)
    assert "monitoring_checkresult_p20300114" in report.created and report.moved == 2
    assert set(where(ids).values()) == {"monitoring_checkresult_p20300114"}
    monitor.refresh_from_db()
    assert monitor.consecutive_failures == 2  # the results' side effects are as ever


@pytest.mark.django_db
def test_upkeep_drops_whole_days_past_the_window_and_rollups_and_availability_stay(monitor, clock):
    clock.set_now(NOON)
    partitions.upkeep(clock.now(), days=7)
    first = NOON.replace(hour=9)
    ids = store(monitor, *(first + dt.timedelta(seconds=20 * i) for i in range(6)))
    outage = first + dt.timedelta(hours=1)  # down at 10:00:20, up again at 10:01:20
    down = store(monitor, outage, outage + dt.timedelta(seconds=20), ok=False)
    down += store(monitor, outage + dt.timedelta(seconds=60), outage + dt.timedelta(seconds=80))
    clock.set_now(first + dt.timedelta(hours=2))
    assert rollups.roll_up(clock.now(), minutes_back=180) == (4, 2)
    before = selectors.monitor_figures(monitor, NOON.date(), NOON.date())
    # Eight days on, past midnight: 10 January ended more than seven days ago.
    clock.set_now(dt.datetime(2030, 1, 18, 1, 0, tzinfo=SHANGHAI))
    assert rollups.expire_raw(clock.now(), days=7) == 0  # a dropped day is not deleted row by row
    assert "monitoring_checkresult_p20300110" not in names()
    assert "monitoring_checkresult_p20300111" in names()  # straddles the boundary: waits until whole
    assert not CheckResult.objects.filter(id__in=ids + down).exists()
    assert Rollup.objects.filter(monitor=monitor, resolution="h").count() == 2
    assert sum(Rollup.objects.filter(monitor=monitor, resolution="m").values_list("checks", flat=True)) == 10
    after = selectors.monitor_figures(monitor, NOON.date(), NOON.date())
    assert after.downtime == before.downtime == dt.timedelta(seconds=60)


@pytest.mark.django_db
def test_old_rows_in_the_default_partition_are_deleted_at_the_cutoff(monitor, clock):
    clock.set_now(NOON)
    partitions.upkeep(clock.now(), days=7)
    stray = store(monitor, NOON - dt.timedelta(days=30))  # a runner with a bad clock
    assert set(where(stray).values()) == {"monitoring_checkresult_default"}
    assert rollups.expire_raw(clock.now(), days=7) == 1
    assert not CheckResult.objects.filter(id__in=stray).exists()


@pytest.mark.django_db
def test_a_step_whose_lock_is_busy_is_skipped_and_the_rest_goes_on(monitor, clock, monkeypatch):
    clock.set_now(NOON)
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "100ms")
    settings = connection.settings_dict
    other = psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                            user=settings["USER"], dbname=settings["NAME"])
    try:
        other.execute("LOCK TABLE monitoring_checkresult_default IN ACCESS EXCLUSIVE MODE")
        report = partitions.upkeep(clock.now(), days=7)
    finally:
        other.close()
    # Attaching and detaching lock the default partition too: those steps wait for the next run.
    assert "monitoring_checkresult_default" in report.skipped
    again = partitions.upkeep(clock.now(), days=7)
    assert again.skipped == []
    assert {f"monitoring_checkresult_p2030011{d}" for d in (0, 1, 2)} <= set(names())


@pytest.mark.django_db
def test_the_migration_keeps_existing_rows_in_a_legacy_partition_and_goes_back(monitor, clock):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("monitoring", "0001_initial")])
    assert not partitions.partitioned()
    now = dt.datetime.now(dt.UTC)
    old = store(monitor, now - dt.timedelta(days=3), now - dt.timedelta(minutes=1))
    ahead = store(monitor, now + dt.timedelta(days=30))  # a runner's clock a month ahead
    executor.loader.build_graph()
    executor.migrate([("monitoring", MIGRATION)])
    assert partitions.partitioned()
    assert set(where(old).values()) == {"monitoring_checkresult_legacy"}
    assert where(ahead) == {ahead[0]: "monitoring_checkresult_default"}
    legacy = partitions.partitions()[0]
    tomorrow = now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    assert legacy.start is None and legacy.end == dt.datetime.combine(tomorrow, dt.time(), tzinfo=SHANGHAI)
    # Ids go on; today's rows still go to the legacy partition, the next day's to its own.
    new = store(monitor, now, legacy.end)
    assert min(new) > max(old + ahead)
    assert where(new) == {new[0]: "monitoring_checkresult_legacy", new[1]: names()[1]}
    # Back to a plain table with every row, then forward again.
    executor.loader.build_graph()
    executor.migrate([("monitoring", "0001_initial")])
    assert not partitions.partitioned()
    assert sorted(CheckResult.objects.filter(monitor=monitor).values_list("id", flat=True)) == sorted(old + ahead + new)
    executor.loader.build_graph()
    executor.migrate([("monitoring", MIGRATION)])
    assert partitions.partitioned()
    # The legacy partition straddles the window: its old rows are deleted in batches
    # until it is wholly past the window, then it is dropped like a day.
    clock.set_now(now)
    assert rollups.expire_raw(clock.now(), days=2) == 1
    assert not CheckResult.objects.filter(id=old[0]).exists() and CheckResult.objects.filter(id=old[1]).exists()
    clock.set_now(legacy.end + dt.timedelta(days=2))
    assert "monitoring_checkresult_legacy" in partitions.upkeep(clock.now(), days=2).dropped
