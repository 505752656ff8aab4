"""Correcting the payment schedule and the contract's periods on the ledger page (an import
misread them, a supplementary agreement changed them): audited, the late-payment penalty
following the corrected milestone, money already received respected, and only the contract's
ledger managers may."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from weibao.audit.models import AuditRecord
from weibao.ledger.models import ContractTerms, PaymentMilestone, PenaltyEntry
from weibao.ledger.services import notices, payments, penalties

ADVANCE = {"name": "预付款", "kind": "advance", "amount": "411000.00", "due_on": "2026-03-09",
           "condition": "合同签订后", "clause": "七.2"}
TERMS = {"advance_ratio": "30%", "remedy_working_days": "10", "force_majeure_days": "30",
         "renewal_window_days": "30", "max_renewals": "1", "max_total_years": "2", "min_resident_staff": "3"}


@pytest.fixture
def march_20(clock):
    clock.set_now(datetime(2026, 3, 20, 2, 0, tzinfo=UTC))  # 11 days after the advance was due
    return clock


def _edit(web, milestone, **changes):
    return web.post(f"/ledger/milestones/{milestone.pk}/edit/", ADVANCE | changes)


def _flash(web, answer) -> str:
    return web.get(answer["Location"]).content.decode()


def test_the_pm_corrects_the_amount_and_the_accruing_penalty_follows(contract, pm, seed_ledger, client_for, march_20):
    advance = seed_ledger["advance"]
    entry = payments.accrue_late_payment(advance)
    assert entry.amount == Decimal("1356.30")  # 11 days × 411,000 × 0.0003
    penalties.step(entry, "approve", by=pm)
    web = client_for(pm)
    assert f'action="/ledger/milestones/{advance.pk}/edit/"' in web.get(f"/ledger/{contract.pk}/").content.decode()

    answer = _edit(web, advance, amount="400000", name="首付款")
    assert answer.status_code == 302 and answer["Location"].endswith(f"#milestone-{advance.pk}")
    assert "付款节点已保存" in _flash(web, answer)
    advance.refresh_from_db()
    assert (advance.name, advance.amount, advance.ratio) == ("首付款", Decimal("400000.00"), Decimal("0.291971"))
    entry.refresh_from_db()
    # Re-priced on the corrected amount and back to the PM: nobody approved this figure.
    assert (entry.amount, entry.status) == (Decimal("1320.00"), "proposed")
    recomputed = AuditRecord.objects.get(action="ledger.penalty_recomputed", object_id=str(entry.pk))
    assert recomputed.actor == pm
    assert (recomputed.before, recomputed.after) == ({"status": "approved", "days": 11, "amount": "1356.30"},
                                                     {"status": "proposed", "days": 11, "amount": "1320.00"})
    assert entry.events.order_by("-id").first().by == pm
    record = AuditRecord.objects.get(action="ledger.milestone_changed", object_id=str(advance.pk))
    assert record.actor == pm
    assert record.before == {"name": "预付款", "kind": "advance", "amount": "411000.00", "condition": "",
                             "clause": "七.2", "due_on": "2026-03-09", "requires_handover": False}
    assert record.after == record.before | {"name": "首付款", "amount": "400000.00", "condition": "合同签订后"}


def test_a_milestone_moved_to_a_later_day_is_no_longer_late_until_it_is(contract, pm, seed_ledger, client_for, march_20):
    advance = seed_ledger["advance"]
    entry = payments.accrue_late_payment(advance)
    web = client_for(pm)
    assert _edit(web, advance, due_on="2026-03-31").status_code == 302
    entry.refresh_from_db()
    assert entry.status == "withdrawn"
    last = entry.events.order_by("-id").first()
    assert (last.action, last.by, last.note) == ("corrected", pm, "付款节点已更正，不再逾期。")
    record = AuditRecord.objects.get(action="ledger.penalty_recomputed", object_id=str(entry.pk))
    assert (record.actor, record.before["status"], record.after["status"]) == (pm, "proposed", "withdrawn")
    page = web.get(f"/ledger/{contract.pk}/").content.decode()
    assert 'data-status="planned"' in page

    # Still unpaid a month later: late again from the corrected day, and it counts again.
    payments.sweep_overdue(dt.date(2026, 4, 30))
    entry.refresh_from_db()
    assert (entry.status, entry.days, entry.amount) == ("proposed", 30, Decimal("3699.00"))  # 30 × 411,000 × 0.0003


def test_an_edit_that_leaves_the_dates_alone_leaves_the_penalty_alone(contract, pm, seed_ledger, client_for, clock):
    """Waiting for the handover, or under a rule switched off, a milestone is not late by its
    dates: fixing its name must not withdraw what accrued (a review's case)."""
    final, late = seed_ledger["final"], seed_ledger["late"]
    from weibao.ledger.models import HandoverItem

    HandoverItem.objects.filter(contract=contract).update(ticked_at=clock.now())
    final.due_on = dt.date(2026, 11, 11)
    final.save()
    entry = payments.accrue_late_payment(final)
    assert entry.days == 13
    HandoverItem.objects.filter(contract=contract).update(ticked_at=None)  # the bureau unticks one
    web = client_for(pm)
    _edit(web, final, name="尾款（更正）", kind="final", amount="959000", due_on="2026-11-11", requires_handover="on")
    entry.refresh_from_db()
    assert entry.status == "proposed"
    late.active = False  # and the handover done again: overdue, under a rule switched off
    late.save()
    HandoverItem.objects.filter(contract=contract).update(ticked_at=clock.now())
    penalties.step(entry, "approve", by=pm)
    _edit(web, final, name="尾款", kind="final", amount="959000", due_on="2026-11-11", requires_handover="on")
    entry.refresh_from_db()
    assert entry.status == "approved"
    assert not AuditRecord.objects.filter(action="ledger.penalty_recomputed").exists()


def test_what_the_bureau_acknowledged_or_the_pm_withdrew_stays(contract, pm, liaison, seed_ledger, client_for, march_20):
    advance = seed_ledger["advance"]
    entry = payments.accrue_late_payment(advance)
    penalties.step(entry, "approve", by=pm)
    penalties.step(entry, "acknowledge", by=liaison)
    web = client_for(pm)
    _edit(web, advance, due_on="2026-03-31")
    entry.refresh_from_db()
    assert (entry.status, entry.amount) == ("acknowledged", Decimal("1356.30"))  # not the PM's to undo

    entry.status = "proposed"
    entry.save()
    penalties.step(entry, "withdraw", by=pm, note="已与甲方协商免除")
    _edit(web, advance, due_on="2026-03-01")
    payments.sweep_overdue(dt.date(2026, 4, 30))
    entry.refresh_from_db()
    assert entry.status == "withdrawn"  # the PM's own withdrawal is final


def test_money_received_stays_and_a_settled_penalty_keeps_its_amount(contract, pm, seed_ledger, client_for, march_20):
    advance = seed_ledger["advance"]
    payments.record_receipt(advance, amount=Decimal("411000"), received_on=dt.date(2026, 3, 15), by=pm)
    settled = PenaltyEntry.objects.get(milestone=advance)
    assert settled.amount == Decimal("739.80")
    web = client_for(pm)
    answer = _edit(web, advance, amount="300000")
    assert "该节点已到账 411000.00 元，金额不能低于已到账金额" in _flash(web, answer)
    assert _edit(web, advance, due_on="2026-03-01").status_code == 302  # earlier: more days late, but paid
    settled.refresh_from_db()
    advance.refresh_from_db()
    assert (advance.amount, advance.due_on) == (Decimal("411000.00"), dt.date(2026, 3, 1))
    assert (settled.amount, settled.days) == (Decimal("739.80"), 6)


def test_the_schedule_may_not_exceed_the_contract(contract, pm, seed_ledger, client_for):
    web = client_for(pm)
    answer = _edit(web, seed_ledger["advance"], amount="411000.01")
    assert "付款节点合计不能超过合同金额（其余节点合计 959000.00 元，合同金额 1370000.00 元）" in _flash(web, answer)
    answer = web.post(f"/ledger/{contract.pk}/milestones/new/", ADVANCE | {"name": "进度款", "kind": "instalment",
                                                                           "amount": "1"})
    assert "付款节点合计不能超过合同金额" in _flash(web, answer)
    assert PaymentMilestone.objects.filter(contract=contract).count() == 2
    assert not AuditRecord.objects.filter(action__startswith="ledger.milestone_").exists()


@pytest.mark.parametrize(("field", "value"), [
    ("amount", ""), ("amount", "abc"), ("amount", "-5"), ("amount", "1.005"), ("amount", "４1"),
    ("due_on", "2026-13-01"), ("due_on", "明天"), ("name", ""), ("name", "款" * 101), ("kind", "weekly"),
    ("clause", "七" * 21), ("condition", "条" * 301),
])
def test_a_bad_value_is_a_400_naming_its_field_and_changes_nothing(pm, seed_ledger, client_for, field, value):
    advance = seed_ledger["advance"]
    answer = _edit(client_for(pm), advance, **{field: value})
    assert answer.status_code == 400 and f"参数 {field} 无效" in answer.content.decode()
    advance.refresh_from_db()
    assert (advance.name, advance.amount, advance.due_on) == ("预付款", Decimal("411000.00"), dt.date(2026, 3, 9))


def test_the_pm_adds_a_milestone_after_the_last_and_removes_one_entered_by_mistake(contract, pm, seed_ledger, client_for):
    web = client_for(pm)
    assert _edit(web, seed_ledger["final"], name="尾款", kind="final", amount="859000", due_on="2027-04-07",
                 requires_handover="on").status_code == 302
    page = web.get(f"/ledger/{contract.pk}/").content.decode()
    assert f'action="/ledger/{contract.pk}/milestones/new/"' in page
    answer = web.post(f"/ledger/{contract.pk}/milestones/new/", {
        "name": "进度款", "kind": "instalment", "amount": "100,000", "due_on": "2026-09-30",
        "condition": "半年考核合格后"})
    assert answer.status_code == 302 and "付款节点已添加" in _flash(web, answer)
    added = PaymentMilestone.objects.get(contract=contract, name="进度款")
    assert (added.sequence, added.amount, added.ratio, added.clause, added.requires_handover) == (
        3, Decimal("100000.00"), Decimal("0.072993"), "七.2", False)
    record = AuditRecord.objects.get(action="ledger.milestone_added", object_id=str(added.pk))
    assert record.after["amount"] == "100000.00" and record.actor == pm
    final = seed_ledger["final"]
    final.refresh_from_db()
    assert final.requires_handover  # the box ticked is kept

    answer = web.post(f"/ledger/milestones/{added.pk}/remove/")
    assert answer.status_code == 302 and "付款节点已删除" in _flash(web, answer)
    assert not PaymentMilestone.objects.filter(pk=added.pk).exists()
    assert AuditRecord.objects.get(action="ledger.milestone_removed", object_id=str(added.pk)).before["name"] == "进度款"


def test_a_milestone_with_an_invoice_is_not_removed(contract, pm, seed_ledger, client_for):
    advance = seed_ledger["advance"]
    payments.issue_invoice(advance, number="No.0001", amount=Decimal("411000"), issued_on=dt.date(2026, 3, 1), by=pm)
    web = client_for(pm)
    assert f"/ledger/milestones/{advance.pk}/remove/" not in web.get(f"/ledger/{contract.pk}/").content.decode()
    answer = web.post(f"/ledger/milestones/{advance.pk}/remove/")
    assert "已有发票、到账或违约金记录，不能删除" in _flash(web, answer)
    assert PaymentMilestone.objects.filter(pk=advance.pk).exists()


def test_unticking_the_handover_condition_makes_the_balance_payable_on_its_day(pm, seed_ledger, client_for, clock):
    final = seed_ledger["final"]  # today is 2026-11-24
    final.due_on = dt.date(2026, 11, 11)
    final.save()
    assert payments.accrue_late_payment(final) is None  # waiting for the handover
    _edit(client_for(pm), final, name="尾款", kind="final", amount="959000", due_on="2026-11-11")
    entry = PenaltyEntry.objects.get(milestone=final)
    assert (entry.days, entry.amount) == (13, Decimal("3740.10"))  # 13 × 959,000 × 0.0003


# -- the periods and limits ------------------------------------------------------------------


def test_the_pm_corrects_the_periods_and_notices_issued_later_use_them(contract, pm, liaison, client_for, clock):
    web = client_for(pm)
    page = web.get(f"/ledger/{contract.pk}/").content.decode()
    assert f'action="/ledger/{contract.pk}/terms/"' in page and "5 个工作日" in page  # the seed's defaults
    earlier = notices.issue_breach_notice(contract, clause="五.2", description="缺岗", issued_on=dt.date(2026, 11, 16),
                                          by=liaison)
    answer = web.post(f"/ledger/{contract.pk}/terms/", TERMS)
    assert answer.status_code == 302 and answer["Location"].endswith("#terms")
    assert "10 个工作日" in _flash(web, answer)
    terms = ContractTerms.objects.get(contract=contract)
    assert (terms.advance_ratio, terms.remedy_working_days, terms.max_renewals, terms.min_resident_staff) == (
        Decimal("0.3"), 10, 1, 3)
    record = AuditRecord.objects.get(action="ledger.terms_changed")
    assert record.actor == pm and record.after["remedy_working_days"] == 10 and record.after["advance_ratio"] == "0.30"
    assert record.before["remedy_working_days"] == 5 and record.before["advance_ratio"] is None  # what the page showed
    later = notices.issue_breach_notice(contract, clause="五.2", description="缺岗", issued_on=dt.date(2026, 11, 16),
                                        by=liaison)
    earlier.refresh_from_db()
    assert (earlier.remedy_due_on, later.remedy_due_on) == (dt.date(2026, 11, 23), dt.date(2026, 11, 30))

    web.post(f"/ledger/{contract.pk}/terms/", TERMS | {"advance_ratio": "", "max_renewals": "2"})
    second = AuditRecord.objects.filter(action="ledger.terms_changed").order_by("-id").first()
    assert second.before["max_renewals"] == 1 and second.after["max_renewals"] == 2
    assert second.after["advance_ratio"] is None
    web.post(f"/ledger/{contract.pk}/terms/", TERMS | {"advance_ratio": "", "max_renewals": "2"})
    assert AuditRecord.objects.filter(action="ledger.terms_changed").count() == 2  # nothing changed: nothing to record


@pytest.mark.parametrize(("field", "value"), [
    ("remedy_working_days", "0"), ("remedy_working_days", ""), ("remedy_working_days", "²"),
    ("force_majeure_days", "366"), ("max_renewals", "21"), ("max_total_years", "0"), ("renewal_window_days", "abc"),
    ("min_resident_staff", "-1"), ("advance_ratio", "三成多"), ("advance_ratio", "0.1234567"),
])
def test_a_bad_period_is_a_400_naming_its_field(contract, pm, client_for, field, value):
    answer = client_for(pm).post(f"/ledger/{contract.pk}/terms/", TERMS | {field: value})
    assert answer.status_code == 400 and f"参数 {field} 无效" in answer.content.decode()
    assert not ContractTerms.objects.filter(contract=contract).exists()


def test_an_advance_of_all_the_price_is_refused_by_the_terms_themselves(contract, pm, client_for):
    web = client_for(pm)
    answer = web.post(f"/ledger/{contract.pk}/terms/", TERMS | {"advance_ratio": "100%"})
    assert "预付款比例应大于 0、小于 1" in _flash(web, answer)
    assert not ContractTerms.objects.filter(contract=contract).exists()


# -- who may ----------------------------------------------------------------------------------


def test_only_the_contracts_ledger_managers_change_the_schedule_and_terms(
        contract, seed_ledger, liaison, viewer, outsider, client_for):
    advance = seed_ledger["advance"]
    posts = [(f"/ledger/milestones/{advance.pk}/edit/", ADVANCE | {"amount": "1"}),
             (f"/ledger/milestones/{advance.pk}/remove/", {}),
             (f"/ledger/{contract.pk}/milestones/new/", ADVANCE),
             (f"/ledger/{contract.pk}/terms/", TERMS)]
    for bureau in (liaison, viewer):
        web = client_for(bureau)
        page = web.get(f"/ledger/{contract.pk}/").content.decode()
        assert "/milestones/" not in page and "/terms/" not in page
        for url, data in posts:
            assert web.post(url, data).status_code == 403, url
    for url, data in posts:
        answer = client_for(outsider).post(url, data)
        assert answer.status_code == 404, url
        assert contract.number not in answer.content.decode() and "预付款" not in answer.content.decode()
    advance.refresh_from_db()
    assert advance.amount == Decimal("411000.00")
    assert PaymentMilestone.objects.filter(contract=contract).count() == 2
    assert not ContractTerms.objects.filter(contract=contract).exists()
    assert not AuditRecord.objects.filter(action__in=["ledger.milestone_changed", "ledger.milestone_removed",
                                                      "ledger.milestone_added", "ledger.terms_changed"]).exists()


def test_a_receipt_handled_with_a_copy_from_before_the_correction_does_not_revive_it(
        pm, seed_ledger, client_for, march_20):
    """The receipt page loaded the milestone before the PM moved its day (a review's case)."""
    advance = seed_ledger["advance"]
    stale = PaymentMilestone.objects.get(pk=advance.pk)  # due 03-09
    entry = payments.accrue_late_payment(advance)
    _edit(client_for(pm), advance, due_on="2026-03-31")
    payments.record_receipt(stale, amount=Decimal("411000"), received_on=dt.date(2026, 3, 20), by=pm)
    entry.refresh_from_db()
    assert entry.status == "withdrawn"  # paid on the 20th, due on the 31st: nothing owed
    assert [e.action for e in entry.events.order_by("id")] == ["accrued", "corrected"]
    payments.sweep_overdue(dt.date(2026, 5, 1))
    entry.refresh_from_db()
    assert entry.status == "withdrawn"


def test_a_later_day_withdraws_even_while_the_handover_is_open(contract, pm, seed_ledger, client_for, clock):
    from weibao.ledger.models import HandoverItem

    final = seed_ledger["final"]
    HandoverItem.objects.filter(contract=contract).update(ticked_at=clock.now())
    final.due_on = dt.date(2026, 11, 11)
    final.save()
    entry = payments.accrue_late_payment(final)  # 13 days on 2026-11-24
    HandoverItem.objects.filter(contract=contract).update(ticked_at=None)
    _edit(client_for(pm), final, name="尾款", kind="final", amount="959000", due_on="2026-12-31", requires_handover="on")
    entry.refresh_from_db()
    assert entry.status == "withdrawn"


def test_money_recorded_late_but_received_before_the_day_withdraws_what_the_sweep_accrued(
        pm, seed_ledger, march_20):
    advance = seed_ledger["advance"]
    entry = payments.accrue_late_payment(advance)  # 11 days by the sweep
    payments.record_receipt(advance, amount=Decimal("411000"), received_on=dt.date(2026, 3, 5), by=pm)
    entry.refresh_from_db()
    assert entry.status == "withdrawn"
    record = AuditRecord.objects.get(action="ledger.penalty_recomputed", object_id=str(entry.pk))
    assert record.actor == pm and record.after["status"] == "withdrawn"


def test_money_before_the_corrected_day_recorded_from_an_older_copy_owes_nothing(pm, seed_ledger, client_for, march_20):
    """The day moved earlier-but-still-later (03-09 → 03-15) while the receipt page held the
    old milestone; the money came on the 12th, before the corrected day (a review's case)."""
    advance = seed_ledger["advance"]
    stale = PaymentMilestone.objects.get(pk=advance.pk)
    entry = payments.accrue_late_payment(advance)
    _edit(client_for(pm), advance, due_on="2026-03-15")
    entry.refresh_from_db()
    assert (entry.status, entry.days, entry.occurred_on) == ("proposed", 5, dt.date(2026, 3, 16))
    payments.record_receipt(stale, amount=Decimal("411000"), received_on=dt.date(2026, 3, 12), by=pm)
    entry.refresh_from_db()
    assert entry.status == "withdrawn"
    last = entry.events.order_by("-id").first()
    assert (last.action, last.note) == ("corrected", "款项在应付日期之前到账，不计逾期。")
    record = AuditRecord.objects.filter(action="ledger.penalty_recomputed", object_id=str(entry.pk)).order_by("-id")[0]
    assert record.detail["because"] == "receipt"
