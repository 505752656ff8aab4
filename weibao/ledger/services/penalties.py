"""Clause 九: the penalty ledger. Rules are data; an entry's amount is computed from its
rule (ledger.money.penalty), approved by the project manager and acknowledged by the
bureau, every step kept in its history and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts import services as contract_services
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core.chinese_numbers import format_ratio
from weibao.ledger import money
from weibao.ledger.models import PenaltyEntry, PenaltyEvent, PenaltyRule

#: Which step may follow which (a state table, not if-chains).
TRANSITIONS = {
    "approve": ({PenaltyEntry.Status.PROPOSED}, PenaltyEntry.Status.APPROVED, Capability.MANAGE_LEDGER),
    "acknowledge": ({PenaltyEntry.Status.APPROVED}, PenaltyEntry.Status.ACKNOWLEDGED, Capability.ACKNOWLEDGE_LEDGER),
    "withdraw": ({PenaltyEntry.Status.PROPOSED, PenaltyEntry.Status.APPROVED}, PenaltyEntry.Status.WITHDRAWN,
                 Capability.MANAGE_LEDGER),
}
# Spelled out so every audit action has its label (audit/labels.py, tested).
AUDIT_ACTIONS = {"approve": "ledger.penalty_approve", "acknowledge": "ledger.penalty_acknowledge",
                 "withdraw": "ledger.penalty_withdraw"}


def save_rule(contract, *, key: str, name: str, clause: str, liable: str, base: str, rate: Decimal,
              per: str, cap: Decimal | None = None, by) -> PenaltyRule:
    """Create or change a penalty rule of the contract (audited, before and after)."""
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    if rate < 0 or rate > 1:
        raise ValidationError({"rate": _("比率应在 0 至 1 之间。")})
    if cap is not None and cap < 0:
        raise ValidationError({"cap": _("上限不能为负数。")})
    rule = PenaltyRule.objects.filter(contract=contract, key=key).first()
    before = None if rule is None else _terms(rule)
    rule = rule or PenaltyRule(contract=contract, key=key)
    rule.name, rule.clause, rule.liable, rule.base, rule.rate, rule.per, rule.cap = name, clause, liable, base, rate, per, cap
    rule.save()
    audit.record("ledger.penalty_rule_saved", obj=rule, actor=by, contract=contract, before=before, after=_terms(rule))
    return rule


@transaction.atomic
def add_rule(contract, *, by, **terms) -> PenaltyRule:
    """A rule added by hand, under the next free key ``custom-N`` (the importer's keys name
    the clauses it knows: ``confidentiality``, ``late_payment``)."""
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    # Two PMs adding at once on PostgreSQL must not both take custom-N (the second would
    # fail on the unique key, or overwrite the first's rule): the contract's row orders them.
    contract_services.lock(contract)
    taken = set(PenaltyRule.objects.filter(contract=contract).values_list("key", flat=True))
    number = 1
    while f"custom-{number}" in taken:
        number += 1
    return save_rule(contract, key=f"custom-{number}", by=by, **terms)


def _terms(rule: PenaltyRule) -> dict[str, str | None]:
    """What a rule says, written the same way before and after a change (0.0003, 20000.00)."""
    return {"name": rule.name, "clause": rule.clause, "liable": rule.liable, "base": rule.base,
            "rate": format_ratio(rule.rate), "per": rule.per,
            "cap": None if rule.cap is None else f"{Decimal(rule.cap):.2f}"}


def base_of(rule: PenaltyRule, amount_due: Decimal | None) -> Decimal:
    if rule.base == PenaltyRule.Base.CONTRACT_TOTAL:
        return rule.contract.amount
    if amount_due is None or amount_due <= 0:
        raise ValidationError({"amount_due": _("该违约金按应付金额计算，请填写应付金额。")})
    return amount_due


def record_penalty(rule: PenaltyRule, *, occurred_on: dt.date, description: str, by,
                   days: int = 1, amount_due: Decimal | None = None) -> PenaltyEntry:
    """An event under ``rule`` (a confidentiality breach, a late payment the task did not
    see): the amount is computed, the entry waits for the PM's approval."""
    require(by, rule.contract_id, Capability.MANAGE_LEDGER)
    if not description.strip():
        raise ValidationError({"description": _("请填写事由。")})
    if days < 1:
        raise ValidationError({"days": _("天数至少为 1。")})
    figure = money.penalty(base_of(rule, amount_due), rule.rate, per_day=rule.per == PenaltyRule.Per.DAY,
                           days=days, cap=rule.cap)
    with transaction.atomic():
        entry = PenaltyEntry.objects.create(
            contract_id=rule.contract_id, rule=rule, description=description.strip()[:500],
            occurred_on=occurred_on, base_amount=figure.base_amount, days=figure.days,
            amount=figure.amount, created_by=by,
        )
        PenaltyEvent.objects.create(entry=entry, by=by, action="created", amount=entry.amount, note=figure.working)
        audit.record("ledger.penalty_recorded", obj=entry, actor=by, contract=rule.contract_id,
                     after={"rule": rule.key, "amount": str(entry.amount), "working": figure.working})
    return entry


def step(entry: PenaltyEntry, action: str, *, by, note: str = "") -> PenaltyEntry:
    """Approve (PM), acknowledge (the bureau) or withdraw (PM) a penalty entry."""
    allowed_from, target, capability = TRANSITIONS[action]
    require(by, entry.contract_id, capability)
    if entry.status not in allowed_from:
        raise ValidationError({"status": _("当前状态“%(status)s”下不能进行此操作。") % {"status": entry.get_status_display()}})
    before = entry.status
    with transaction.atomic():
        entry.status = target
        entry.save(update_fields=["status"])
        PenaltyEvent.objects.create(entry=entry, by=by, action=action, amount=entry.amount, note=note[:500])
        audit.record(AUDIT_ACTIONS[action], obj=entry, actor=by, contract=entry.contract_id,
                     before={"status": before}, after={"status": target, "amount": str(entry.amount)},
                     detail={"note": note[:500]})
    return entry
