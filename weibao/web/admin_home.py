"""The home panels of the three administrators (三员) and of a contract's 审计员: what
each can do, without a contract's business records (GB/T 22239-2019 8.1.4.2)."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from weibao.accounts import overview
from weibao.accounts.models import User
from weibao.audit.models import AuditRecord
from weibao.audit.selectors import records_visible_to
from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import health
from weibao.mailchannel.models import InboundMail, Mailbox, OutboundMail
from weibao.notifications.models import Delivery


def system_panels(request, contract) -> list[dict]:
    """系统管理员: is the installation running, and what in its settings needs correcting."""
    if not request.user.is_system_admin:
        return []
    database_ok, database_detail = health.database_ok()
    mailboxes = Mailbox.objects.aggregate(
        enabled=Count("id", filter=Q(active=True)),
        polling_errors=Count("id", filter=Q(active=True) & ~Q(last_poll_error="")),
        last_polled=Max("last_polled_at"),
    )
    return [
        {
            "template": "web/_home_system.html",
            "database_ok": database_ok,
            "database_detail": database_detail,
            "queue_ok": health.queue_ok()[0],
            "queue_depth": health.queue_depth(),
            "worker_alive": health.worker_alive(),
            "last_heartbeat": health.last_heartbeat(),
            "failed_notifications": Delivery.objects.filter(status=Delivery.Status.FAILED).count(),
            "failed_outbound": OutboundMail.objects.filter(status=OutboundMail.Status.FAILED).count(),
            "failed_inbound": InboundMail.objects.filter(status=InboundMail.Status.FAILED).count(),
            "last_mail_at": InboundMail.objects.aggregate(last=Max("received_at"))["last"],
            "mailboxes": mailboxes,
            "disk": health.disk_free(),
            "warnings": health.configuration_warnings(),
        }
    ]


def security_panels(request, contract) -> list[dict]:
    """安全管理员: people and roles, locks, second factors, password ages, security events."""
    if not request.user.is_security_admin:
        return []
    stale = overview.stale_passwords()
    return [
        {
            "template": "web/_home_security.html",
            "users": User.objects.filter(is_active=True).count(),
            "administrators": User.objects.filter(is_active=True, admin_role_grant__isnull=False).count(),
            "locked": overview.locked_accounts(),
            "without_second_factor": list(overview.administrators_without_second_factor()),
            "enrolment": overview.second_factor_enrolment(),
            "password_policy": stale is not None,
            "stale_count": stale.count() if stale is not None else 0,
            "stale": list(stale[:10]) if stale is not None else [],
            "events": overview.recent_security_events(),
        }
    ]


def auditor_panels(request, contract) -> list[dict]:
    """审计管理员 and a contract's 审计员: the trail they read and what they do with it."""
    user = request.user
    contract_auditor = contract is not None and can(user, contract.pk, Capability.VIEW_AUDIT)
    if not (user.is_audit_admin or contract_auditor):
        return []
    records = records_visible_to(user)
    figures = (
        records.aggregate(
            total=Count("id"),
            denied=Count("id", filter=Q(outcome=AuditRecord.Outcome.DENIED)),
            last=Max("at"),
        )
        if records is not None
        else {"total": 0, "denied": 0, "last": None}
    )
    return [
        {
            "template": "web/_home_audit.html",
            "platform": user.is_audit_admin,
            "figures": figures,
        }
    ]
