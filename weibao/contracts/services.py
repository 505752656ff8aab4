"""Contract membership: who works on which contract, in which role. Every change audited."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import can, forget_memberships, require, roles_on
from weibao.contracts.capitals import _yuan_in_words, words_match
from weibao.contracts.models import Contract, ContractChange, ContractDocument, Membership
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


def lock(contract: Contract) -> None:
    """Take the contract's row lock for the rest of the transaction (PostgreSQL): two writers
    that pick "the next" of something in the contract (a rule key, a milestone number, the
    first terms row) then go one after the other."""
    Contract.objects.select_for_update().only("pk").get(pk=contract.pk)


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


# -- the contract record (issue 16 item 1) ----------------------------------------------

#: The fields of the record a project manager may change; every change is kept and audited.
RECORD_FIELDS = (
    "name", "procurement_number", "party_a", "party_a_representative", "party_a_address",
    "party_a_bank", "party_a_account", "party_b", "party_b_representative", "party_b_address",
    "party_b_bank", "party_b_account", "amount", "amount_in_words", "signed_on", "term_start",
    "term_end", "service_scope", "status",
)

#: Clause-driven status changes; anything else is refused (a state table, not if-chains).
STATUS_TRANSITIONS = {
    Contract.Status.DRAFT: {Contract.Status.ACTIVE, Contract.Status.TERMINATED},
    Contract.Status.ACTIVE: {
        Contract.Status.SUSPENDED, Contract.Status.TERMINATED, Contract.Status.EXPIRED,
        Contract.Status.RENEWED,
    },
    Contract.Status.SUSPENDED: {Contract.Status.ACTIVE, Contract.Status.TERMINATED},
    Contract.Status.EXPIRED: {Contract.Status.RENEWED},
    Contract.Status.TERMINATED: set(),
    Contract.Status.RENEWED: set(),
}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value) if value is not None else None


def check_record(contract: Contract) -> None:
    """The record's invariants: the amount's 大写 says the figure, the term is ordered."""
    errors = {}
    if contract.amount_in_words and not words_match(contract.amount, contract.amount_in_words):
        errors["amount_in_words"] = _("金额大写与合同金额 %(amount)s 元不一致（应为“%(words)s”）。") % {
            "amount": contract.amount, "words": _yuan_in_words(contract.amount)}
    if contract.term_start and contract.term_end and contract.term_end < contract.term_start:
        errors["term_end"] = _("服务结束日期不能早于开始日期。")
    if errors:
        raise ValidationError(errors)


def change_contract(contract: Contract, changes: dict, *, by, reason: str = "") -> ContractChange | None:
    """Change fields of the contract record (the PM), keeping the before and after of each
    in the contract's history and the audit trail. None when nothing changed."""
    require(by, contract.pk, Capability.MANAGE_CONTRACT)
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段不可修改。") for name in sorted(unknown)})
    if "status" in changes and changes["status"] != contract.status:
        if changes["status"] not in STATUS_TRANSITIONS.get(contract.status, set()):
            raise ValidationError({"status": _("合同状态不能从“%(old)s”变为“%(new)s”。") % {
                "old": contract.get_status_display(), "new": changes["status"]}})
    diff = {}
    for name, value in changes.items():
        old = getattr(contract, name)
        if old != value:
            diff[name] = [_plain(old), _plain(value)]
            setattr(contract, name, value)
    if not diff:
        return None
    check_record(contract)
    with transaction.atomic():
        contract.save(update_fields=list(diff))
        entry = ContractChange.objects.create(contract=contract, by=by, changes=diff, reason=reason[:500])
        audit.record(
            "contract.changed", obj=contract, actor=by, contract=contract,
            before={k: v[0] for k, v in diff.items()}, after={k: v[1] for k, v in diff.items()},
            detail={"reason": reason[:500]},
        )
        if diff.get("status", [None, None])[1] == Contract.Status.ACTIVE and contract.renewal_of_id:
            # Clause 十一.2: the renewed period's contract is "renewed" once its successor runs.
            Contract.objects.filter(
                pk=contract.renewal_of_id, status__in=[Contract.Status.ACTIVE, Contract.Status.EXPIRED]
            ).update(status=Contract.Status.RENEWED)
    return entry


def attach_document(contract: Contract, *, title: str, upload, by) -> ContractDocument:
    """Keep a signed document of the contract (PDF, scan, DOCX), with its SHA-256."""
    require(by, contract.pk, Capability.MANAGE_CONTRACT)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = ContractDocument.objects.create(
        contract=contract, title=(title or upload.name)[:200], file=upload,
        sha256=digest.hexdigest(), size=upload.size or 0, uploaded_by=by,
    )
    audit.record("contract.document_added", obj=document, actor=by, contract=contract,
                 detail={"sha256": document.sha256, "size": document.size})
    return document
