"""The minute sweep that pages each due step of every running escalation."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def advance_escalations() -> int:
    from weibao.escalations.services.engine import advance_due

    return advance_due()
