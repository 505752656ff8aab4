"""What the 安全管理员 watches (GB/T 22239-2019 8.1.4.1 identification, 8.1.4.2 access
control): locked accounts, administrators without a second factor, passwords past their
age, and the trail's recent security events. Platform-wide; no contract data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from weibao.accounts.models import LoginThrottle, User
from weibao.audit.labels import action_label
from weibao.audit.models import AuditRecord
from weibao.core import clock

# The trail's codes for what a security administrator answers for: sign-in failures and
# locks, accounts and roles granted or withdrawn, second factors, refused requests.
SECURITY_ACTION_PREFIXES = ("login.", "role.", "account.", "mfa.", "password.", "request.denied")
SECURITY_EVENTS_SHOWN = 15


@dataclass(frozen=True)
class LockedAccount:
    username: str
    locked_until: datetime
    user: User | None


def locked_accounts(now: datetime | None = None) -> list[LockedAccount]:
    """Usernames locked right now, with the account (if the name is one) to unlock."""
    now = now or clock.now()
    throttles = list(LoginThrottle.objects.filter(locked_until__gt=now).order_by("locked_until"))
    users = {
        u.username.lower(): u
        for u in User.objects.filter(username__in=[t.username for t in throttles])
    }
    # LoginThrottle keys are lower-cased; match names case-insensitively.
    if len(users) < len(throttles):
        for t in throttles:
            if t.username not in users:
                match = User.objects.filter(username__iexact=t.username).first()
                if match is not None:
                    users[t.username] = match
    return [LockedAccount(t.username, t.locked_until, users.get(t.username)) for t in throttles]


def administrators_without_second_factor():
    """Active holders of an administrator role who have not enrolled TOTP."""
    return (
        User.objects.filter(is_active=True, admin_role_grant__isnull=False, totp_enabled=False)
        .select_related("admin_role_grant")
        .order_by("username")
    )


def stale_passwords(now: datetime | None = None):
    """Active users whose password is older than the policy allows (None when the policy
    sets no maximum age): they will be made to change it at their next sign-in."""
    max_age = settings.WEIBAO_PASSWORD_MAX_AGE_DAYS
    if not max_age:
        return None
    cutoff = (now or clock.now()) - timedelta(days=max_age)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(password_changed_at__lt=cutoff) | Q(password_changed_at__isnull=True))
        .order_by("password_changed_at", "username")
    )


def second_factor_enrolment() -> dict:
    active = User.objects.filter(is_active=True)
    return {"enrolled": active.filter(totp_enabled=True).count(), "active": active.count()}


def recent_security_events(limit: int = SECURITY_EVENTS_SHOWN) -> list[dict]:
    """The newest security events of the trail, each with its label in words."""
    wanted = Q()
    for prefix in SECURITY_ACTION_PREFIXES:
        wanted |= Q(action__startswith=prefix)
    records = AuditRecord.objects.filter(wanted).order_by("-at", "-id")[:limit]
    return [
        {
            "at": r.at,
            "label": action_label(r.action),
            "actor": r.actor_username,
            "outcome": r.get_outcome_display(),
            "denied": r.outcome != AuditRecord.Outcome.SUCCESS,
            "ip": r.ip,
        }
        for r in records
    ]
