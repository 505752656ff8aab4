"""Whom a step pages: a registry of target kinds. Each kind resolves its reference to the
people to notify at a moment. Built in: a person, everyone holding a role on the contract
(e.g. the project managers), a support group. The on-call app sits above this one and
registers "whoever is on call for a schedule" (``register``), so a policy can say so
without this app knowing what a schedule is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from weibao.accounts.models import User
from weibao.contracts.models import Membership
from weibao.contracts.roles import ContractRole, role_label
from weibao.servicedesk.models import SupportGroup

# resolve(contract, ref, at) -> the people to page; choices(contract) -> [(ref, label)].
Resolver = Callable[[object, str, datetime], list]
Choices = Callable[[object], list[tuple[str, str]]]


@dataclass(frozen=True)
class TargetKind:
    code: str
    label: str
    resolve: Resolver
    choices: Choices


_kinds: dict[str, TargetKind] = {}


def register(code: str, label, resolve: Resolver, choices: Choices) -> None:
    _kinds[code] = TargetKind(code, label, resolve, choices)


def kinds() -> list[TargetKind]:
    return list(_kinds.values())


def kind(code: str) -> TargetKind | None:
    return _kinds.get(code)


def resolve(contract, code: str, ref: str, at: datetime) -> list:
    """The active people ``code``/``ref`` names on ``contract`` at ``at`` (none if the kind
    is unknown, e.g. its app was removed: the run records "nobody" and goes on)."""
    target = _kinds.get(code)
    if target is None:
        return []
    return [user for user in target.resolve(contract, ref, at) if user.is_active]


def describe(contract, code: str, ref: str) -> str:
    target = _kinds.get(code)
    if target is None:
        return f"{code}:{ref}"
    label = dict(target.choices(contract)).get(ref, ref)
    return f"{target.label}：{label}"


# -- built-in kinds ---------------------------------------------------------------------


def _members(contract):
    """Active members of ``contract`` who may be paged (administrators hold no contract
    role, decision 0012)."""
    return Membership.objects.filter(
        contract=contract, active=True, user__is_active=True, user__admin_role_grant__isnull=True
    )


def _person(contract, ref: str, at) -> list:
    if not ref.isdigit():
        return []
    ids = _members(contract).filter(user_id=int(ref)).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids))


def _person_choices(contract) -> list[tuple[str, str]]:
    seen = {}
    for member in _members(contract).select_related("user").order_by("user__display_name"):
        seen.setdefault(str(member.user_id), member.user.display_name or member.user.username)
    return list(seen.items())


def _role(contract, ref: str, at) -> list:
    ids = _members(contract).filter(role=ref).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _role_choices(contract) -> list[tuple[str, str]]:
    return [(role.value, role_label(role.value)) for role in ContractRole]


def _group(contract, ref: str, at) -> list:
    if not ref.isdigit():
        return []
    group = SupportGroup.objects.filter(contract=contract, pk=int(ref)).first()
    if group is None:
        return []
    member_ids = set(_members(contract).values_list("user_id", flat=True))
    return [user for user in group.members.order_by("pk") if user.pk in member_ids]


def _group_choices(contract) -> list[tuple[str, str]]:
    return [(str(g.pk), g.name) for g in SupportGroup.objects.filter(contract=contract).order_by("name")]


register("user", _("指定人员"), _person, _person_choices)
register("role", _("合同角色"), _role, _role_choices)
register("group", _("支持组"), _group, _group_choices)
