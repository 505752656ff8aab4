"""Background jobs of the team register."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from weibao.core.db_retry import retry_when_locked


@db_periodic_task(crontab(minute="5", hour="0"))  # 08:05 Asia/Shanghai, once a day
@retry_when_locked
def remind_expiries() -> int:
    """Insurance, agreements and certificates ending within 30 days: tell the worker and
    the PMs (deduplicated per item and end date, so a rerun or retry is harmless)."""
    from weibao.people.services import send_expiry_reminders

    return send_expiry_reminders()
