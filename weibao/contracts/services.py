"""Contract membership: who works on which contract, in which role. Every change audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import can, forget_memberships, roles_on
from weibao.contracts.models import Contract, Membership
from weibao.contracts.roles import Capability, ContractRole, role_label, roles_with


def add_member(contract: Contract, user, role: str, *, by=None) -> Membership:
    """Give ``user`` a role on ``contract`` (audited).

    三员分立 (GB/T 22239-2019 8.1.4.2, decision 0012): nobody grants themselves a role, and
    a holder of an administrator role holds no contract role.
    """
    if role not in ContractRole.values:
        raise ValidationError({"role": _("未知的角色：%(role)s") % {"role": role}})
    if by is not None and by.pk == user.pk:
        raise ValidationError({"user": _("三员分立：不能给自己授予角色。")})
    if getattr(user, "admin_role", None):
        raise ValidationError(
            {
                "role": _("三员分立：%(user)s 是%(held)s，管理员不能同时担任合同角色。")
                % {"user": user, "held": role_label(user.admin_role)}
            }
        )
    membership, created = Membership.objects.get_or_create(contract=contract, user=user, role=role)
    if not created and membership.active:
        return membership
    if not membership.active:
        membership.active = True
        membership.save(update_fields=["active"])
    forget_memberships(user)
    audit.record(
        "role.member_added",
        obj=membership,
        actor=by,
        contract=contract,
        after={"user": user.get_username(), "role": role},
    )
    return membership


def remove_member(membership: Membership, *, by=None) -> None:
    if not membership.active:
        return
    membership.active = False
    membership.save(update_fields=["active"])
    forget_memberships(membership.user)
    audit.record(
        "role.member_removed",
        obj=membership,
        actor=by,
        contract=membership.contract,
        before={"user": membership.user.get_username(), "role": membership.role},
    )


def roles_of(user, contract: Contract) -> set[str]:
    return set(roles_on(user, contract.pk))


def has_capability(user, contract: Contract, capability: str) -> bool:
    return can(user, contract.pk, capability)


def vendor_team(contract):
    """Active users on the contract's vendor team (clause 十一.4: only they work its tickets)."""
    return get_user_model().objects.filter(
        memberships__contract=contract, memberships__role__in=roles_with(Capability.WORK_TICKETS),
        memberships__active=True, is_active=True, admin_role_grant__isnull=True,
    ).distinct().order_by("username")


def project_managers(contract_id: int) -> list:
    """Active project managers of a contract: who answers for SLA breaches, urges and 差评."""
    return [
        m.user for m in Membership.objects.filter(
            contract_id=contract_id, role=ContractRole.PROJECT_MANAGER, active=True, user__is_active=True,
            user__admin_role_grant__isnull=True,
        ).select_related("user").order_by("user__username")
    ]
