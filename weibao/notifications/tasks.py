from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from weibao.core import clock


@db_task()
def deliver(delivery_id: int) -> None:
    from weibao.notifications.models import Delivery
    from weibao.notifications.services import attempt_delivery

    with_lock = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
    delivery = with_lock.select_related("notification").first()
    if delivery is not None:
        attempt_delivery(delivery)


@db_periodic_task(crontab(minute="*"))
def retry_pending_deliveries() -> int:
    from weibao.notifications.models import Delivery
    from weibao.notifications.services import attempt_delivery

    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=clock.now()
    ).select_related("notification")[:200]
    return sum(1 for d in due if attempt_delivery(d))
