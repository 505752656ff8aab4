"""Background jobs of the service desk."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from weibao.core.db_retry import retry_when_locked


@db_periodic_task(crontab(minute="*"))
@retry_when_locked
def scan_sla_clocks() -> tuple[int, int]:
    """Every minute: warnings at the configured fraction, breaches at the deadline."""
    from weibao.servicedesk.services.sla import scan

    return scan()


@db_task(retries=3, retry_delay=30)
@retry_when_locked
def recompute_deadlines(contract_id: int) -> int:
    from weibao.servicedesk.services.sla import recompute_contract

    return recompute_contract(contract_id)


@db_periodic_task(crontab(hour="3", minute="20"))
@retry_when_locked
def anonymise_expired_requesters() -> int:
    """Every night: requesters past WEIBAO_PERSONAL_DATA_RETENTION_DAYS anonymised (audited)."""
    from weibao.servicedesk.services import retention

    return sum(row.tickets for row in retention.anonymise())
