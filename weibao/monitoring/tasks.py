"""Background jobs of the monitoring app: rollups each minute; hourly, the raw results' upkeep
(on PostgreSQL, day partitions made ahead and dropped whole; decision 0018)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from weibao.core import clock


@db_periodic_task(crontab(minute="*"))
@lock_task("monitoring-rollups")
def roll_up_results() -> tuple[int, int]:
    from weibao.monitoring.rollups import roll_up

    return roll_up(clock.now())


@db_periodic_task(crontab(minute="41"))
@lock_task("monitoring-expiry")
def keep_raw_results() -> int:
    from weibao.monitoring.rollups import expire_raw

    return expire_raw(clock.now())
