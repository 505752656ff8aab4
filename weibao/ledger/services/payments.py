"""Clause 七: the payment schedule, invoices, money received, the handover checklist,
overdue detection and the late-payment penalty accruing by its rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao import audit
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


def add_milestone(contract, *, sequence: int, kind: str, name: str, amount: Decimal,
                  ratio: Decimal | None = None, condition: str = "", due_on: dt.date | None = None,
                  requires_handover: bool = False, by) -> PaymentMilestone:
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    scheduled = PaymentMilestone.objects.filter(contract=contract).aggregate(s=Sum("amount"))["s"] or ZERO
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    if scheduled + amount > contract.amount:
        raise ValidationError({"amount": _("付款节点合计不能超过合同金额。")})
    milestone = PaymentMilestone.objects.create(
        contract=contract, sequence=sequence, kind=kind, name=name, amount=amount, ratio=ratio,
        condition=condition, due_on=due_on, requires_handover=requires_handover,
    )
    audit.record("ledger.milestone_added", obj=milestone, actor=by, contract=contract,
                 after={"amount": str(amount), "due_on": due_on.isoformat() if due_on else None})
    return milestone


def issue_invoice(milestone: PaymentMilestone, *, number: str, amount: Decimal, issued_on: dt.date, by) -> Invoice:
    require(by, milestone.contract_id, Capability.MANAGE_LEDGER)
    if not number.strip():
        raise ValidationError({"number": _("请填写发票号码。")})
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    if Invoice.objects.filter(contract_id=milestone.contract_id, number=number.strip()).exists():
        raise ValidationError({"number": _("该发票号码已登记。")})
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
        receipt = PaymentReceipt.objects.create(
            contract_id=milestone.contract_id, milestone=milestone, amount=amount,
            received_on=received_on, reference=reference[:64], recorded_by=by,
        )
        audit.record("ledger.payment_received", obj=receipt, actor=by, contract=milestone.contract_id,
                     after={"milestone": milestone.pk, "amount": str(amount), "received_on": received_on.isoformat()})
        accrue_late_payment(milestone)
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


# One transaction: an entry is never left without its "accrued" event (a crash, or a task
# whose second write SQLite refused and which then runs again).
@transaction.atomic
def accrue_late_payment(milestone: PaymentMilestone, today: dt.date | None = None) -> PenaltyEntry | None:
    """Clause 九.4: the bureau owes the late-payment rule's rate of the amount due for each
    day late. One entry per milestone, updated as days pass, frozen when the money comes.
    Idempotent: the daily task and every receipt call it."""
    today = today or clock.local_now().date()
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
            description=_("%(milestone)s 逾期付款") % {"milestone": milestone.name},
            occurred_on=milestone.due_on + dt.timedelta(days=1), accrual_end=end,
            base_amount=figure.base_amount, days=figure.days, amount=figure.amount,
        )
        PenaltyEvent.objects.create(entry=entry, action="accrued", amount=entry.amount, note=figure.working)
    elif entry.status == PenaltyEntry.Status.WITHDRAWN or entry.events.filter(action=SETTLED).exists():
        # Withdrawn, or frozen when the money came: a later correction of the rule
        # (ledger.views.edit_rule) re-prices only entries still accruing.
        return entry
    elif (entry.amount, entry.days) != (figure.amount, figure.days):
        entry.base_amount, entry.days, entry.amount, entry.accrual_end = (
            figure.base_amount, figure.days, figure.amount, end)
        # Nobody stays on record as having approved or acknowledged a figure they never saw:
        # a changed amount goes back to the PM.
        entry.status = PenaltyEntry.Status.PROPOSED
        entry.save(update_fields=["base_amount", "days", "amount", "accrual_end", "status"])
        PenaltyEvent.objects.create(entry=entry, action="accrued", amount=entry.amount, note=figure.working)
    if state.paid_on is not None:
        PenaltyEvent.objects.create(entry=entry, action=SETTLED, amount=entry.amount,
                                    note=_("款项已于 %(day)s 到账，违约金不再变化。") % {"day": state.paid_on.isoformat()})
    return entry


def sweep_overdue(today: dt.date | None = None) -> int:
    """The daily task: accrue every unpaid milestone past its due day. Returns how many."""
    count = 0
    today = today or clock.local_now().date()
    for milestone in PaymentMilestone.objects.filter(due_on__lt=today).select_related("contract"):
        if accrue_late_payment(milestone, today) is not None:
            count += 1
    return count
