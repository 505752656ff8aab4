"""Password policy: expiry and history (等保 2.0 三级: change every ≤ 90 days, no reuse)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from weibao import audit
from weibao.accounts.models import PasswordHistory, User
from weibao.accounts.signals import credentials_invalidated
from weibao.core import clock


def password_expired(user: User) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.WEIBAO_PASSWORD_MAX_AGE_DAYS
    if not max_age:
        return False
    changed = user.password_changed_at
    if changed is None:
        return False  # set when the password is first set; older accounts get a grace
    return clock.now() - changed > timedelta(days=max_age)


def set_password(user: User, raw_password: str, *, by: User | None = None) -> None:
    """Set a new password (already validated), remember it in the history, audit it."""
    user.set_password(raw_password)
    mark_changed(user)
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    remember(user)
    audit.record("password.changed", obj=user, actor=by or user)
    credentials_invalidated.send(sender=User, user=user, reason="password_changed", by=by or user)


def mark_changed(user: User) -> None:
    """On ``user`` in hand (not saved): its password, just set, was changed now and need not be."""
    user.password_changed_at = clock.now()
    user.must_change_password = False


def remember(user: User) -> None:
    """Keep ``user``'s current password hash in the history, the last N only."""
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = max(settings.WEIBAO_PASSWORD_HISTORY, 1)
    stale = list(
        PasswordHistory.objects.filter(user=user).values_list("id", flat=True)[keep:]
    )
    PasswordHistory.objects.filter(id__in=stale).delete()
