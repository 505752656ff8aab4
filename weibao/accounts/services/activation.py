"""Activating and deactivating accounts. Deactivation ends what the account was trusted
with (sessions stop authenticating at once; API tokens are revoked)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from weibao import audit
from weibao.accounts.models import User
from weibao.accounts.signals import credentials_invalidated


def may_set_active(person: User, *, by: User) -> bool:
    """Only the security administrator turns an administrator's account on or off (the
    system administrator must not be able to silence the security officer or the
    auditor); nobody turns off their own account."""
    if by.pk == person.pk:
        return False
    if person.admin_role is not None:
        return by.is_security_admin
    return by.is_security_admin or by.is_system_admin


def set_active(person: User, active: bool, *, by: User) -> bool:
    """Set ``person.is_active``; False when nothing changed. Refuses by PermissionDenied."""
    if not may_set_active(person, by=by):
        raise PermissionDenied(_("只有安全管理员可以启用或停用管理员账号，且不能停用自己的账号。"))
    if person.is_active == active:
        return False
    person.is_active = active
    person.save(update_fields=["is_active"])
    audit.record(
        "account.activated" if active else "account.deactivated",
        obj=person,
        actor=by,
        before={"is_active": not active},
        after={"is_active": active},
    )
    if not active:
        credentials_invalidated.send(sender=User, user=person, reason="deactivated", by=by)
    return True
