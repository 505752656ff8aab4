"""The ledger's background jobs: overdue payments and their penalty, reminders of remedy
and force-majeure deadlines, the monthly sealed snapshot of the obligations matrix."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from weibao.core.db_retry import retry_when_locked
from weibao.ledger.services import notices, payments, snapshots


@db_periodic_task(crontab(minute="10", hour="1"))  # UTC: 09:10 Beijing time
@retry_when_locked
def accrue_overdue_payments() -> int:
    return payments.sweep_overdue()


@db_periodic_task(crontab(minute="20", hour="1"))
@retry_when_locked
def remind_deadlines() -> int:
    return notices.send_reminders()


@db_periodic_task(crontab(minute="30", hour="17", day="1"))
@retry_when_locked
def seal_last_month() -> int:
    # 17:30 UTC on the 1st is 01:30 Beijing on the 2nd: the month has ended everywhere and
    # late entries of its last day are in. Idempotent, so a missed run is caught next month
    # only for that month; the page also lets the PM seal a past month by hand.
    return snapshots.snapshot_last_month()
