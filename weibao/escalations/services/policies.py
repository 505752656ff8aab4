"""Saving what the project manager edits: policies, their steps and triggers (audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.audit import record
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.escalations import targets
from weibao.escalations.models import (
    EscalationPolicy,
    EscalationStep,
    EscalationTrigger,
    Urgency,
)


def save_policy(contract, by, *, name: str, repeat: int, active: bool, description: str = "",
                policy: EscalationPolicy | None = None) -> EscalationPolicy:
    require(by, contract.pk, Capability.MANAGE_ESCALATIONS)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写策略名称。")})
    if not 1 <= repeat <= 10:
        raise ValidationError({"repeat": _("重复轮数应在 1 到 10 之间。")})
    clash = EscalationPolicy.objects.filter(contract=contract, name=name)
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise ValidationError({"name": _("已有同名的升级策略。")})
    before = _snapshot(policy) if policy else None
    with transaction.atomic():
        if policy is None:
            policy = EscalationPolicy(contract=contract)
        policy.name, policy.repeat, policy.active = name[:100], repeat, active
        policy.description = description[:2000]
        policy.save()
        record("escalation.policy_saved", obj=policy, actor=by, contract=contract,
               before=before, after=_snapshot(policy))
    return policy


def add_step(policy: EscalationPolicy, by, *, target_kind: str, target_ref: str, urgency: str,
             wait_minutes: int, channel_id: int | None = None) -> EscalationStep:
    require(by, policy.contract_id, Capability.MANAGE_ESCALATIONS)
    kind = targets.kind(target_kind)
    if kind is None:
        raise ValidationError({"target_kind": _("请选择通知对象类型。")})
    if target_ref not in dict(kind.choices(policy.contract)):
        raise ValidationError({"target_ref": _("请选择本合同中的通知对象。")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("请选择紧急程度。")})
    if not 1 <= wait_minutes <= 1440:
        raise ValidationError({"wait_minutes": _("等待确认的分钟数应在 1 到 1440 之间。")})
    with transaction.atomic():
        last = policy.steps.order_by("-position").values_list("position", flat=True).first()
        step = EscalationStep.objects.create(
            policy=policy, position=0 if last is None else last + 1, target_kind=target_kind,
            target_ref=target_ref, urgency=urgency, wait_minutes=wait_minutes, channel_id=channel_id,
        )
        record("escalation.policy_saved", obj=policy, actor=by, contract=policy.contract,
               detail={"added_step": step.position, "target": f"{target_kind}:{target_ref}"})
    return step


def remove_step(policy: EscalationPolicy, by, position: int) -> None:
    """Remove a step; the later ones move up so positions stay 0, 1, 2…"""
    require(by, policy.contract_id, Capability.MANAGE_ESCALATIONS)
    with transaction.atomic():
        deleted, _count = policy.steps.filter(position=position).delete()
        if not deleted:
            raise ValidationError({"position": _("没有这个步骤。")})
        for step in policy.steps.filter(position__gt=position).order_by("position"):
            step.position -= 1
            step.save(update_fields=["position"])
        record("escalation.policy_saved", obj=policy, actor=by, contract=policy.contract,
               detail={"removed_step": position})


def add_trigger(policy: EscalationPolicy, by, *, event_type: str, only_for: str) -> EscalationTrigger:
    require(by, policy.contract_id, Capability.MANAGE_ESCALATIONS)
    if event_type not in EscalationTrigger.EventType.values:
        raise ValidationError({"event_type": _("请选择触发事件。")})
    only_for = ",".join(p.strip().upper() for p in (only_for or "").replace("，", ",").split(",")
                        if p.strip())
    allowed = {"P1", "P2", "P3", "P4", "I", "II", "III", "IV"}
    if any(part not in allowed for part in only_for.split(",") if part):
        raise ValidationError({"only_for": _("优先级应为 P1–P4，事件级别应为 I–IV，以逗号分隔。")})
    with transaction.atomic():
        trigger = EscalationTrigger.objects.create(
            contract_id=policy.contract_id, policy=policy, event_type=event_type, only_for=only_for[:64])
        record("escalation.policy_saved", obj=policy, actor=by, contract=policy.contract,
               detail={"added_trigger": event_type, "only_for": only_for})
    return trigger


def remove_trigger(policy: EscalationPolicy, by, trigger_id: int) -> None:
    require(by, policy.contract_id, Capability.MANAGE_ESCALATIONS)
    deleted, _count = policy.triggers.filter(pk=trigger_id).delete()
    if not deleted:
        raise ValidationError({"trigger": _("没有这个触发条件。")})
    record("escalation.policy_saved", obj=policy, actor=by, contract=policy.contract,
           detail={"removed_trigger": trigger_id})


def delete_policy(policy: EscalationPolicy, by) -> None:
    """Delete a policy that never ran; one with runs is deactivated (its history stays)."""
    require(by, policy.contract_id, Capability.MANAGE_ESCALATIONS)
    if policy.runs.exists():
        raise ValidationError({"policy": _("该策略已有升级记录，不能删除，可以停用。")})
    record("escalation.policy_deleted", obj=policy, actor=by, contract=policy.contract,
           before=_snapshot(policy))
    policy.delete()


def _snapshot(policy: EscalationPolicy) -> dict:
    return {"name": policy.name, "repeat": policy.repeat, "active": policy.active}
