from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from weibao.core.db_retry import retry_when_locked


@db_task()
def process_inbound(inbound_id: int) -> None:
    from weibao.mailchannel.services.inbound import process_safely

    process_safely(inbound_id)


@db_task()
def send_outbound(mail_id: int) -> None:
    from weibao.mailchannel.services.outbound import send

    # Claimed by a conditional update before sending: a refused claim sent nothing.
    retry_when_locked(send)(mail_id)


@db_periodic_task(crontab(minute="*"))
def mail_sweep() -> dict:
    """Retry stored inbound and outbound mail whose turn has come."""
    from weibao.mailchannel.services import inbound, outbound

    return {"inbound": inbound.retry_due(), "outbound": retry_when_locked(outbound.retry_due)()}


@db_periodic_task(crontab(minute="*"))
def poll_mailboxes() -> int:
    from weibao.mailchannel.services.imap import poll_all

    return poll_all()
