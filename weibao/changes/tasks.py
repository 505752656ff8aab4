"""Background jobs of the changes app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from weibao.core.db_retry import retry_when_locked


@db_periodic_task(crontab(minute="*/15"))
@retry_when_locked
def remind_overdue_retro_approvals() -> int:
    """Every 15 minutes: emergency changes past their retroactive-approval deadline."""
    from weibao.changes.services import remind_overdue_retro_approvals as remind

    return remind()
