"""Demo escalation policies of the seed contract: urgent tickets and major incidents page
the on-call engineers first, then the project manager (clause 四.2's 7×24 promise)."""

from __future__ import annotations

from weibao.contracts.roles import ContractRole
from weibao.escalations.models import EscalationPolicy, EscalationStep, EscalationTrigger
from weibao.oncall.models import Schedule


def _on_call(contract) -> tuple[str, str]:
    """Whoever is on call for the contract's first schedule, or its on-call engineers."""
    schedule = Schedule.objects.filter(contract=contract).order_by("pk").first()
    if schedule is not None:
        return "schedule", str(schedule.pk)
    return "role", ContractRole.ONCALL_ENGINEER


def load(contracts) -> None:
    for contract in contracts.values():
        if EscalationPolicy.objects.filter(contract=contract).exists():
            continue
        urgent = EscalationPolicy.objects.create(
            contract=contract, name="紧急工单升级", repeat=2,
            description="P1/P2 工单即将超时或被督办：先通知值班工程师，5 分钟无人确认通知项目经理。",
        )
        kind, ref = _on_call(contract)
        EscalationStep.objects.create(policy=urgent, position=0, target_kind=kind,
                                      target_ref=ref, urgency="high",
                                      wait_minutes=5)
        EscalationStep.objects.create(policy=urgent, position=1, target_kind="role",
                                      target_ref=ContractRole.PROJECT_MANAGER, urgency="critical",
                                      wait_minutes=10)
        EscalationTrigger.objects.create(contract=contract, policy=urgent, event_type="sla.warning",
                                         only_for="P1,P2")
        EscalationTrigger.objects.create(contract=contract, policy=urgent, event_type="sla.breached",
                                         only_for="P1,P2")
        EscalationTrigger.objects.create(contract=contract, policy=urgent, event_type="ticket.urged")
        major = EscalationPolicy.objects.create(
            contract=contract, name="重大事件升级", repeat=3,
            description="I、II 级事件：值班工程师与项目经理同时通知，3 分钟无人确认再通知一轮。",
        )
        EscalationStep.objects.create(policy=major, position=0, target_kind=kind,
                                      target_ref=ref, urgency="critical",
                                      wait_minutes=3)
        EscalationStep.objects.create(policy=major, position=1, target_kind="role",
                                      target_ref=ContractRole.PROJECT_MANAGER, urgency="critical",
                                      wait_minutes=3)
        EscalationTrigger.objects.create(contract=contract, policy=major,
                                         event_type="incident.opened", only_for="I,II")
