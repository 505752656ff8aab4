"""Clause 七: the payment schedule, invoices, money received, the handover checklist,
overdue detection and the late-payment penalty accruing by its rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao import audit
from weibao.contracts import services as contract_services
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.ledger import money
from weibao.ledger.models import (
    HandoverItem,
    Invoice,
    PaymentMilestone,
    PaymentReceipt,
    PenaltyEntry,
    PenaltyEvent,
    PenaltyRule,
)

ZERO = Decimal("0.00")
#: The late-payment rule's key (seed clause 九.4); the demo and the importer create it.
LATE_PAYMENT = "late_payment"


@dataclass
class MilestoneState:
    milestone: PaymentMilestone
    invoiced: Decimal
    received: Decimal
    paid_on: dt.date | None
    status: str  # planned / invoiced / paid / overdue / blocked
    days_late: int
    blocked_reason: str = ""

    @property
    def outstanding(self) -> Decimal:
        return max(ZERO, self.milestone.amount - self.received)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


STATUS_LABELS = {
    "planned": gettext_lazy("未到期"),
    "invoiced": gettext_lazy("已开票"),
    "paid": gettext_lazy("已到账"),
    "overdue": gettext_lazy("逾期未付"),
    "blocked": gettext_lazy("待交接完成"),
}


def handover_complete(contract) -> bool:
    items = HandoverItem.objects.filter(contract=contract)
    return items.exists() and not items.filter(ticked_at__isnull=True).exists()


def milestone_state(milestone: PaymentMilestone, today: dt.date | None = None,
                    handover_done: bool | None = None) -> MilestoneState:
    """Where one milestone stands. Paid means received in full (clause 七.1), the day the
    last money arrived; an invoice alone pays nothing."""
    today = today or clock.local_now().date()
    invoiced = milestone.invoices.aggregate(s=Sum("amount"))["s"] or ZERO
    received, paid_on, running = ZERO, None, ZERO
    for receipt in milestone.receipts.order_by("received_on", "id"):
        running += receipt.amount
        if paid_on is None and running >= milestone.amount:
            paid_on = receipt.received_on
    received = running
    if handover_done is None and milestone.requires_handover:
        handover_done = handover_complete(milestone.contract)
    late = 0
    reason = ""
    if paid_on is not None:
        status = "paid"
        if milestone.due_on:
            late = money.days_late(milestone.due_on, paid_on, today)
    elif milestone.requires_handover and not handover_done:
        status, reason = "blocked", _("交接清单尚未全部确认，尾款未到付款条件。")
    elif milestone.due_on and today > milestone.due_on:
        status, late = "overdue", money.days_late(milestone.due_on, None, today)
    elif invoiced:
        status = "invoiced"
    else:
        status = "planned"
    return MilestoneState(milestone, invoiced, received, paid_on, status, late, reason)


def schedule(contract, today: dt.date | None = None) -> list[MilestoneState]:
    done = handover_complete(contract)
    return [milestone_state(m, today, done) for m in
            PaymentMilestone.objects.filter(contract=contract).prefetch_related("invoices", "receipts").select_related("contract")]


def paid_total(contract) -> Decimal:
    """Money received on the contract, all milestones: what proration subtracts."""
    return PaymentReceipt.objects.filter(contract=contract).aggregate(s=Sum("amount"))["s"] or ZERO


#: What a milestone says, as the audit trail and its form show it.
MILESTONE_TERMS = ("name", "kind", "amount", "condition", "clause", "due_on", "requires_handover")


def _milestone_terms(milestone: PaymentMilestone) -> dict[str, str | bool | None]:
    return {"name": milestone.name, "kind": milestone.kind, "amount": f"{Decimal(milestone.amount):.2f}",
            "condition": milestone.condition, "clause": milestone.clause,
            "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
            "requires_handover": milestone.requires_handover}


def _check_amount(contract, amount: Decimal, *, other_than: PaymentMilestone | None = None) -> None:
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    others = PaymentMilestone.objects.filter(contract=contract)
    if other_than is not None:
        others = others.exclude(pk=other_than.pk)
    scheduled = others.aggregate(s=Sum("amount"))["s"] or ZERO
    if scheduled + amount > contract.amount:
        raise ValidationError({"amount": _("付款节点合计不能超过合同金额（其余节点合计 %(others)s 元，合同金额 %(total)s 元）。")
                               % {"others": f"{scheduled:.2f}", "total": f"{Decimal(contract.amount):.2f}"}})


def _ratio_of(contract, amount: Decimal) -> Decimal | None:
    return (amount / contract.amount).quantize(Decimal("0.000001")) if contract.amount else None


@transaction.atomic
def add_milestone(contract, *, kind: str, name: str, amount: Decimal, sequence: int | None = None,
                  ratio: Decimal | None = None, condition: str = "", clause: str = "七.2",
                  due_on: dt.date | None = None, requires_handover: bool = False, by) -> PaymentMilestone:
    """A milestone the import did not find, or a supplementary agreement's; by default the
    next after the last (two PMs adding at once each get their own: the contract row orders them)."""
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    contract_services.lock(contract)
    if not name.strip():
        raise ValidationError({"name": _("请填写名称。")})
    _check_amount(contract, amount)
    if sequence is None:
        last = PaymentMilestone.objects.filter(contract=contract).order_by("-sequence").first()
        sequence = (last.sequence if last else 0) + 1
    milestone = PaymentMilestone.objects.create(
        contract=contract, sequence=sequence, kind=kind, name=name.strip(), amount=amount,
        ratio=ratio if ratio is not None else _ratio_of(contract, amount), condition=condition,
        clause=clause, due_on=due_on, requires_handover=requires_handover,
    )
    audit.record("ledger.milestone_added", obj=milestone, actor=by, contract=contract,
                 after=_milestone_terms(milestone))
    return milestone


@transaction.atomic
def change_milestone(milestone: PaymentMilestone, *, by, **terms) -> PaymentMilestone:
    """Correct a milestone (an import misread its amount or day, a supplementary agreement
    moved it). Its late-payment penalty follows: still accruing, it is re-priced and goes back
    to the PM; no longer late, it is withdrawn; settled (the money came), it stays as it is."""
    require(by, milestone.contract_id, Capability.MANAGE_LEDGER)
    milestone = PaymentMilestone.objects.select_for_update().select_related("contract").get(pk=milestone.pk)
    unknown = set(terms) - set(MILESTONE_TERMS)
    if unknown:
        raise TypeError(f"unknown milestone terms: {sorted(unknown)}")
    before = _milestone_terms(milestone)
    amount = terms.get("amount", milestone.amount)
    if not str(terms.get("name", milestone.name)).strip():
        raise ValidationError({"name": _("请填写名称。")})
    _check_amount(milestone.contract, amount, other_than=milestone)
    received = milestone.receipts.aggregate(s=Sum("amount"))["s"] or ZERO
    if amount < received:
        raise ValidationError({"amount": _("该节点已到账 %(received)s 元，金额不能低于已到账金额。") % {"received": f"{received:.2f}"}})
    for name, value in terms.items():
        setattr(milestone, name, value.strip() if isinstance(value, str) else value)
    if amount != Decimal(before["amount"]):
        milestone.ratio = _ratio_of(milestone.contract, amount)
    milestone.save()
    after = _milestone_terms(milestone)
    if after == before:
        return milestone
    audit.record("ledger.milestone_changed", obj=milestone, actor=by, contract=milestone.contract_id,
                 before=before, after=after)
    _penalty_follows(milestone, by, because="correction")
    return milestone


WITHDRAWN_BECAUSE = {
    "correction": gettext_lazy("付款节点已更正，不再逾期。"),
    "receipt": gettext_lazy("款项在应付日期之前到账，不计逾期。"),
}


def _penalty_follows(milestone: PaymentMilestone, by, *, because: str) -> None:
    """After the PM changed what the milestone says (``because`` "correction") or recorded
    money ("receipt"): its late-payment entry is re-priced (still accruing), withdrawn (not
    late by its dates), or left (settled, acknowledged, withdrawn by the PM); a change of
    money owed is audited with the PM. Decided on the milestone as it is now, under its
    lock (the caller's copy may predate a correction it waited for)."""
    entry = PenaltyEntry.objects.filter(milestone_id=milestone.pk, rule__key=LATE_PAYMENT).first()
    was = _figure(entry)
    accrued = accrue_late_payment(milestone, by=by)
    current = PaymentMilestone.objects.filter(pk=milestone.pk).first()
    if accrued is None and current is not None and not late_by_its_dates(current):
        _withdraw_late_payment(entry, by, WITHDRAWN_BECAUSE[because])
    entry = PenaltyEntry.objects.filter(milestone_id=milestone.pk, rule__key=LATE_PAYMENT).first()
    if _figure(entry) != was:
        audit.record("ledger.penalty_recomputed", obj=entry, actor=by, contract=entry.contract_id,
                     before=was, after=_figure(entry), detail={"milestone": milestone.pk, "because": because})


def late_by_its_dates(milestone: PaymentMilestone, today: dt.date | None = None) -> bool:
    """Whether the milestone's dates alone make it late: a due day, and the money in full
    after it, or not yet in and the day past. (Waiting for the handover does not change
    this; it only stops the accrual for the time being.)"""
    if milestone.due_on is None:
        return False
    state = milestone_state(milestone, today, handover_done=True)
    if state.paid_on is not None:
        return state.paid_on > milestone.due_on
    return (today or clock.local_now().date()) > milestone.due_on


def _figure(entry: PenaltyEntry | None) -> dict | None:
    return None if entry is None else {"status": entry.status, "days": entry.days, "amount": f"{entry.amount:.2f}"}


def _withdraw_late_payment(entry: PenaltyEntry | None, by, note: str) -> None:
    """The corrected milestone is not late by its dates (a later day, or none): its late-
    payment entry, if the PM or nobody has acted on it yet, is withdrawn with the reason in
    its history, and comes back if the milestone is late again. One the bureau acknowledged
    or one settled stays as it is; one waiting for the handover is the accrual's to leave."""
    if entry is None or entry.status not in (PenaltyEntry.Status.PROPOSED, PenaltyEntry.Status.APPROVED):
        return
    if entry.events.filter(action=SETTLED).exists():
        return
    entry.status = PenaltyEntry.Status.WITHDRAWN
    entry.save(update_fields=["status"])
    PenaltyEvent.objects.create(entry=entry, by=by, action=CORRECTED, amount=entry.amount, note=str(note))


@transaction.atomic
def remove_milestone(milestone: PaymentMilestone, *, by) -> None:
    """A milestone entered by mistake. One with an invoice, money or a penalty on it stays:
    those are records of what happened (correct its terms instead)."""
    require(by, milestone.contract_id, Capability.MANAGE_LEDGER)
    # Locked: an invoice or a receipt recorded meanwhile (they lock it too) waits, then fails.
    milestone = PaymentMilestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.invoices.exists() or milestone.receipts.exists() or milestone.penalties.exists():
        raise ValidationError({"milestone": _("该付款节点已有发票、到账或违约金记录，不能删除；请修改其内容。")})
    audit.record("ledger.milestone_removed", obj=milestone, actor=by, contract=milestone.contract_id,
                 before=_milestone_terms(milestone))
    milestone.delete()


def _lock(milestone: PaymentMilestone) -> None:
    """Orders this write after a correction or a removal of the milestone (PostgreSQL)."""
    PaymentMilestone.objects.select_for_update(of=("self",)).filter(pk=milestone.pk).order_by("pk").only("pk").first()


@transaction.atomic
def issue_invoice(milestone: PaymentMilestone, *, number: str, amount: Decimal, issued_on: dt.date, by) -> Invoice:
    require(by, milestone.contract_id, Capability.MANAGE_LEDGER)
    if not number.strip():
        raise ValidationError({"number": _("请填写发票号码。")})
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    if Invoice.objects.filter(contract_id=milestone.contract_id, number=number.strip()).exists():
        raise ValidationError({"number": _("该发票号码已登记。")})
    _lock(milestone)
    invoice = Invoice.objects.create(contract_id=milestone.contract_id, milestone=milestone,
                                     number=number.strip(), amount=amount, issued_on=issued_on, recorded_by=by)
    audit.record("ledger.invoice_issued", obj=invoice, actor=by, contract=milestone.contract_id,
                 after={"milestone": milestone.pk, "amount": str(amount), "issued_on": issued_on.isoformat()})
    return invoice


def record_receipt(milestone: PaymentMilestone, *, amount: Decimal, received_on: dt.date,
                   reference: str = "", by) -> PaymentReceipt:
    """Money arrived in the vendor's account (the PM records it from the bank statement).
    A late milestone's accruing penalty stops on this day."""
    require(by, milestone.contract_id, Capability.MANAGE_LEDGER)
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    if received_on > clock.local_now().date():
        raise ValidationError({"received_on": _("到账日期不能晚于今天。")})
    with transaction.atomic():
        _lock(milestone)
        receipt = PaymentReceipt.objects.create(
            contract_id=milestone.contract_id, milestone=milestone, amount=amount,
            received_on=received_on, reference=reference[:64], recorded_by=by,
        )
        audit.record("ledger.payment_received", obj=receipt, actor=by, contract=milestone.contract_id,
                     after={"milestone": milestone.pk, "amount": str(amount), "received_on": received_on.isoformat()})
        _penalty_follows(milestone, by, because="receipt")
    return receipt


def tick_handover(item: HandoverItem, *, by, ticked: bool = True) -> HandoverItem:
    """The bureau ticks (or unticks) one line of the handover checklist."""
    require(by, item.contract_id, Capability.ACKNOWLEDGE_LEDGER)
    item.ticked_at = clock.now() if ticked else None
    item.ticked_by = by if ticked else None
    item.save(update_fields=["ticked_at", "ticked_by"])
    audit.record("ledger.handover_ticked" if ticked else "ledger.handover_unticked",
                 obj=item, actor=by, contract=item.contract_id)
    return item


#: The event that freezes a late-payment entry: its money came, its figure is final.
SETTLED = "settled"
#: The event of an entry withdrawn because its milestone was corrected and is not late:
#: unlike the PM's own withdrawal, it comes back if the milestone is late again.
CORRECTED = "corrected"


def withdrawn_by_correction(entry: PenaltyEntry) -> bool:
    last = entry.events.order_by("-at", "-id").first()
    return last is not None and last.action == CORRECTED


# One transaction: an entry is never left without its "accrued" event (a crash, or a task
# whose second write SQLite refused and which then runs again).
@transaction.atomic
def accrue_late_payment(milestone: PaymentMilestone, today: dt.date | None = None, *, by=None) -> PenaltyEntry | None:
    """Clause 九.4: the bureau owes the late-payment rule's rate of the amount due for each
    day late. One entry per milestone, updated as days pass, frozen when the money comes.
    Idempotent: the daily task and every receipt call it; ``by`` is the person whose
    correction (of the rule or the milestone) made it run, for the entry's history."""
    today = today or clock.local_now().date()
    # Read afresh under its lock: a caller's copy may predate a correction it waited for.
    # (Its own row only: the sweep must not hold the contract's row against other writes.)
    milestone = PaymentMilestone.objects.select_for_update(of=("self",)).filter(pk=milestone.pk).order_by("pk").first()
    if milestone is None:  # removed since the caller listed it
        return None
    rule = PenaltyRule.objects.filter(contract_id=milestone.contract_id, key=LATE_PAYMENT, active=True).first()
    if rule is None or milestone.due_on is None:
        return None
    state = milestone_state(milestone, today)
    if state.status == "blocked" or state.days_late <= 0:
        return None
    end = state.paid_on or today
    # The amount due: the unpaid part of the milestone on its due day.
    received_by_due = sum((r.amount for r in milestone.receipts.all() if r.received_on <= milestone.due_on), ZERO)
    due = max(ZERO, milestone.amount - received_by_due)
    figure = money.penalty(due, rule.rate, per_day=rule.per == PenaltyRule.Per.DAY,
                           days=state.days_late, cap=rule.cap)
    entry = PenaltyEntry.objects.filter(rule=rule, milestone=milestone).first()
    if entry is None:
        entry = PenaltyEntry.objects.create(
            contract_id=milestone.contract_id, rule=rule, milestone=milestone,
            description=_late_description(milestone),
            occurred_on=milestone.due_on + dt.timedelta(days=1), accrual_end=end,
            base_amount=figure.base_amount, days=figure.days, amount=figure.amount,
        )
        PenaltyEvent.objects.create(entry=entry, by=by, action="accrued", amount=entry.amount, note=figure.working)
    elif entry.events.filter(action=SETTLED).exists() or (
            entry.status == PenaltyEntry.Status.WITHDRAWN and not withdrawn_by_correction(entry)):
        # Frozen when the money came, or withdrawn by the PM: a later correction of the rule
        # (ledger.views.edit_rule) re-prices only entries still accruing.
        return entry
    elif entry.status == PenaltyEntry.Status.WITHDRAWN or (entry.amount, entry.days) != (figure.amount, figure.days):
        # (Withdrawn only because a corrected milestone was not late: late again, it counts again.)
        entry.base_amount, entry.days, entry.amount, entry.accrual_end = (
            figure.base_amount, figure.days, figure.amount, end)
        # A corrected milestone moves the day the lateness began, and may have a new name.
        entry.occurred_on = milestone.due_on + dt.timedelta(days=1)
        entry.description = _late_description(milestone)
        # Nobody stays on record as having approved or acknowledged a figure they never saw:
        # a changed amount goes back to the PM.
        entry.status = PenaltyEntry.Status.PROPOSED
        entry.save(update_fields=["base_amount", "days", "amount", "accrual_end", "status", "occurred_on",
                                  "description"])
        PenaltyEvent.objects.create(entry=entry, by=by, action="accrued", amount=entry.amount, note=figure.working)
    if state.paid_on is not None:
        PenaltyEvent.objects.create(entry=entry, action=SETTLED, amount=entry.amount,
                                    note=_("款项已于 %(day)s 到账，违约金不再变化。") % {"day": state.paid_on.isoformat()})
    return entry


def _late_description(milestone: PaymentMilestone) -> str:
    # Stored, printed in letters: in the contract's language, not the PM's page language.
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(milestone)s 逾期付款") % {"milestone": milestone.name}


def sweep_overdue(today: dt.date | None = None) -> int:
    """The daily task: accrue every unpaid milestone past its due day. Returns how many."""
    count = 0
    today = today or clock.local_now().date()
    for milestone in PaymentMilestone.objects.filter(due_on__lt=today).select_related("contract"):
        if accrue_late_payment(milestone, today) is not None:
            count += 1
    return count
