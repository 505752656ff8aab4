"""Background jobs of the audit trail."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def seal_pending_records() -> int:
    """Every minute: seal records whose writer stopped between its commit and the seal."""
    from weibao.audit.services import seal_pending

    return seal_pending()
