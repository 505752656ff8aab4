"""Background jobs: retry stored alert deliveries not yet processed, and remind of
reporting deadlines (a reminder before the deadline, another once it has passed)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from weibao.contracts.roles import Capability, ContractRole, roles_with
from weibao.core import clock
from weibao.core.db_retry import retry_when_locked
from weibao.incidents import ingest, services
from weibao.incidents.models import ReportingDuty, TimelineEntry
from weibao.notifications.services import notify

# Remind when this share of the reporting period is left (at least 10 minutes ahead).
REMIND_SHARE = 0.5
REMIND_AT_LEAST = dt.timedelta(minutes=10)


@db_periodic_task(crontab(minute="*"))
@retry_when_locked
def retry_alert_deliveries() -> int:
    return ingest.retry_pending()


@db_periodic_task(crontab(minute="*"))
@retry_when_locked
def remind_reporting_duties() -> int:
    return send_reporting_reminders()


def responsible(contract_id: int):
    """Who is reminded: the project manager(s) and the on-call engineers of the contract."""
    roles = roles_with(Capability.MANAGE_INCIDENTS) | {ContractRole.ONCALL_ENGINEER}
    return get_user_model().objects.filter(
        is_active=True, memberships__contract_id=contract_id, memberships__active=True, memberships__role__in=roles
    ).distinct()


def send_reporting_reminders() -> int:
    now = clock.now()
    sent = 0
    duties = ReportingDuty.objects.filter(reported_at__isnull=True).select_related("incident", "incident__contract")
    for duty in duties.filter(overdue_notified_at__isnull=True, due_at__lte=now + dt.timedelta(hours=4)):
        incident = duty.incident
        period = duty.due_at - incident.opened_at
        remind_from = duty.due_at - max(period * REMIND_SHARE, REMIND_AT_LEAST)
        overdue = now >= duty.due_at
        if not overdue and (duty.reminded_at is not None or now < remind_from):
            continue
        due_local = duty.due_at.astimezone(clock.SHANGHAI).strftime("%m-%d %H:%M")
        subject = (
            _("【逾期】事件 %(n)s 未按时向%(to)s报告（时限 %(due)s）")
            if overdue else _("事件 %(n)s 须在 %(due)s 前向%(to)s报告")
        ) % {"n": incident.number, "to": duty.get_recipient_display(), "due": due_local}
        notify(
            responsible(incident.contract_id), subject=subject, body=incident.title, contract=incident.contract,
            link=f"/incidents/{incident.pk}/", kind="incident.report_due",
            dedup_key=f"incident-duty:{duty.pk}:{'overdue' if overdue else 'due'}",
        )
        services.note_on_timeline(incident, TimelineEntry.Kind.NOTIFICATION, subject)
        if overdue:
            duty.overdue_notified_at = now
        duty.reminded_at = duty.reminded_at or now
        duty.save(update_fields=["reminded_at", "overdue_notified_at"])
        sent += 1
    return sent
