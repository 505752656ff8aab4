"""Granting and revoking roles. Every change is audited; 三员分立 is enforced here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.accounts.models import AdminRoleGrant, User
from weibao.accounts.roles import AdminRole


def grant_admin_role(user: User, role: str, *, by: User | None) -> AdminRoleGrant:
    """Give ``user`` one of the three administrator roles.

    Refuses a second, different administrator role: the system, security and audit
    administrators must be different people (GB/T 22239-2019 8.1.4.2); refuses a user who
    holds a contract role, and a grant to oneself (decision 0012).
    """
    if role not in AdminRole.values:
        raise ValidationError({"role": _("未知的管理员角色：%(role)s") % {"role": role}})
    if by is not None and by.pk == user.pk:
        raise ValidationError({"role": _("三员分立：不能给自己授予角色。")})
    if user.memberships.filter(active=True).exists():
        raise ValidationError(
            {
                "role": _("三员分立：%(user)s 担任合同角色，不能同时担任管理员。请先移除其合同角色。")
                % {"user": user}
            }
        )
    existing = AdminRoleGrant.objects.filter(user=user).first()
    if existing is not None:
        if existing.role == role:
            return existing
        raise ValidationError(
            {
                "role": _(
                    "三员分立：%(user)s 已是%(held)s，不能再担任%(wanted)s。"
                    "系统管理员、安全管理员和审计管理员必须由不同的人担任。"
                )
                % {"user": user, "held": AdminRole(existing.role).label, "wanted": AdminRole(role).label}
            }
        )
    try:
        with transaction.atomic():
            grant = AdminRoleGrant.objects.create(user=user, role=role, granted_by=by)
    except IntegrityError as exc:  # a concurrent grant won the race
        raise ValidationError({"role": _("该用户已有管理员角色。")}) from exc
    audit.record(
        "role.admin_granted", obj=user, actor=by, after={"admin_role": role}, contract=None
    )
    return grant


def revoke_admin_role(user: User, *, by: User | None) -> None:
    if by is not None and by.pk == user.pk:
        raise ValidationError({"role": _("不能撤销自己的管理员角色。")})
    grant = AdminRoleGrant.objects.filter(user=user).first()
    if grant is None:
        return
    grant.delete()
    audit.record("role.admin_revoked", obj=user, actor=by, before={"admin_role": grant.role})
