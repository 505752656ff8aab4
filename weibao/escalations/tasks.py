"""The minute sweep that pages each due step of every running escalation."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from weibao.core.db_retry import retry_when_locked


@db_periodic_task(crontab(minute="*"))
@retry_when_locked
def advance_escalations() -> int:
    from weibao.escalations.services.engine import advance_due

    return advance_due()
