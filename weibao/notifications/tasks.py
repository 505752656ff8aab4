from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from weibao.core.db_retry import retry_when_locked


@db_task()
def deliver(delivery_id: int) -> None:
    from weibao.notifications.services import send_delivery

    send_delivery(delivery_id)


@db_periodic_task(crontab(minute="*"))
@retry_when_locked
def retry_pending_deliveries() -> int:
    """Send what is due: retries after backoff, delayed steps, queued robot messages, and
    deliveries whose claim expired with a killed worker."""
    from weibao.notifications.services import retry_due

    return retry_due()
