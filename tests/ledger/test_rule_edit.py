"""Correcting a penalty rule on the ledger page (an import misread its rate, a supplementary
agreement changed it): the rate as a contract writes it, audited, entries already recorded
unchanged, and only the contract's ledger managers may."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from weibao.audit.models import AuditRecord
from weibao.ledger.models import PenaltyEntry, PenaltyRule
from weibao.ledger.services import penalties

RULE_FORM = {"name": "泄露保密信息", "clause": "九.3", "liable": "b", "base": "total", "rate": "万分之五",
             "per": "once", "cap": "20000"}


def _edit(web, rule, **changes):
    return web.post(f"/ledger/rules/{rule.pk}/edit/", RULE_FORM | changes)


def test_the_pm_corrects_a_rule_and_only_later_entries_use_it(contract, pm, seed_ledger, client_for):
    rule = seed_ledger["confidentiality"]
    earlier = penalties.record_penalty(rule, occurred_on=dt.date(2026, 5, 1), description="泄露", by=pm)
    web = client_for(pm)
    page = web.get(f"/ledger/{contract.pk}/").content.decode()
    assert f'action="/ledger/rules/{rule.pk}/edit/"' in page

    answer = _edit(web, rule)
    assert answer.status_code == 302 and answer["Location"].endswith("#penalties")
    rule.refresh_from_db()
    assert (rule.name, rule.rate, rule.cap) == ("泄露保密信息", Decimal("0.0005"), Decimal("20000"))
    assert "违约金规则已保存" in web.get(answer["Location"]).content.decode()
    record = AuditRecord.objects.get(action="ledger.penalty_rule_saved", object_id=str(rule.pk))
    assert record.actor == pm
    assert record.before == {"name": "保密", "clause": "九.3", "liable": "b", "base": "total", "rate": "0.0003",
                             "per": "once", "cap": None}
    assert record.after == record.before | {"name": "泄露保密信息", "rate": "0.0005", "cap": "20000.00"}

    earlier.refresh_from_db()
    assert earlier.amount == Decimal("411.00")  # 1,370,000 × 0.0003, as it was recorded
    later = penalties.record_penalty(rule, occurred_on=dt.date(2026, 6, 1), description="再次泄露", by=pm)
    assert later.amount == Decimal("685.00")  # × 0.0005


@pytest.mark.parametrize("written", ["0.0005", "万分之五", "0.5‰", "0.05%", " 万分之五 "])
def test_the_rate_as_a_contract_writes_it(pm, seed_ledger, client_for, written):
    rule = seed_ledger["late"]
    assert _edit(client_for(pm), rule, rate=written, base="amount_due", per="day").status_code == 302
    rule.refresh_from_db()
    assert rule.rate == Decimal("0.0005")


@pytest.mark.parametrize(("field", "value"), [
    ("rate", ""), ("rate", "abc"), ("rate", "万分之"), ("rate", "按万分之三计"), ("rate", "１"),
    ("rate", "万分之三" * 20), ("cap", "-5"), ("cap", "二万"), ("name", ""), ("clause", "九" * 21),
    ("per", "week"), ("base", "everything"), ("liable", "c"),
])
def test_a_bad_value_is_a_400_naming_its_field_and_changes_nothing(pm, seed_ledger, client_for, field, value):
    rule = seed_ledger["confidentiality"]
    answer = _edit(client_for(pm), rule, **{field: value})
    assert answer.status_code == 400 and field in answer.content.decode()
    rule.refresh_from_db()
    assert (rule.name, rule.rate) == ("保密", Decimal("0.0003"))


def test_a_rate_above_one_is_refused_by_the_rule_itself(pm, seed_ledger, client_for):
    rule = seed_ledger["confidentiality"]
    web = client_for(pm)
    answer = _edit(web, rule, rate="1.5")
    assert answer.status_code == 302
    assert "比率应在 0 至 1 之间" in web.get(answer["Location"]).content.decode()
    rule.refresh_from_db()
    assert rule.rate == Decimal("0.0003")


def test_the_bureau_may_not_and_another_contracts_pm_does_not_find_it(
        contract, seed_ledger, liaison, viewer, outsider, client_for):
    rule = seed_ledger["confidentiality"]
    for bureau in (liaison, viewer):
        assert _edit(client_for(bureau), rule).status_code == 403
        assert "/edit/" not in client_for(bureau).get(f"/ledger/{contract.pk}/").content.decode()
    answer = _edit(client_for(outsider), rule)
    assert answer.status_code == 404 and "保密" not in answer.content.decode()
    rule.refresh_from_db()
    assert rule.rate == Decimal("0.0003") and not PenaltyEntry.objects.exists()
    assert not AuditRecord.objects.filter(action="ledger.penalty_rule_saved").exists()


def test_a_settled_late_payment_keeps_its_amount_and_one_still_accruing_is_re_priced(
        contract, pm, liaison, seed_ledger, client_for):
    from weibao.ledger.services import payments

    advance, late = seed_ledger["advance"], seed_ledger["late"]
    # Due 2026-03-09, paid 2026-03-15: 6 days × 411,000 × 0.0003 = 739.80, acknowledged.
    payments.record_receipt(advance, amount=Decimal("411000"), received_on=dt.date(2026, 3, 15), by=pm)
    settled = PenaltyEntry.objects.get(milestone=advance)
    penalties.step(settled, "approve", by=pm)
    penalties.step(settled, "acknowledge", by=liaison)
    # The balance, here due on the same day and unpaid: 11 days late on 2026-03-20.
    unpaid = seed_ledger["final"]
    unpaid.due_on, unpaid.requires_handover = dt.date(2026, 3, 9), False
    unpaid.save()
    accruing = payments.accrue_late_payment(unpaid, dt.date(2026, 3, 20))
    assert accruing.amount == Decimal("3164.70")  # 11 × 959,000 × 0.0003
    penalties.step(accruing, "approve", by=pm)

    assert _edit(client_for(pm), late, name="逾期付款", clause="九.4", liable="a", base="amount_due",
                 per="day", cap="").status_code == 302  # 万分之五
    payments.sweep_overdue(dt.date(2026, 3, 20))
    settled.refresh_from_db()
    accruing.refresh_from_db()
    assert (settled.amount, settled.status) == (Decimal("739.80"), "acknowledged")
    assert (accruing.amount, accruing.status) == (Decimal("5274.50"), "proposed")  # 11 × 959,000 × 0.0005


def test_a_correction_made_before_the_money_is_recorded_prices_the_whole_lateness(pm, seed_ledger, client_for):
    """Priced by the sweep up to the day the money then comes, corrected, then the receipt:
    not frozen at the old rate (a review's case)."""
    from weibao.ledger.services import payments

    advance, late = seed_ledger["advance"], seed_ledger["late"]
    entry = payments.accrue_late_payment(advance, dt.date(2026, 3, 20))  # 11 days × 0.0003
    assert entry.amount == Decimal("1356.30")
    _edit(client_for(pm), late, name="逾期付款", clause="九.4", liable="a", base="amount_due", per="day", cap="")
    payments.record_receipt(advance, amount=Decimal("411000"), received_on=dt.date(2026, 3, 20), by=pm)
    entry.refresh_from_db()
    assert entry.amount == Decimal("2260.50")  # 11 × 411,000 × 0.0005
    payments.sweep_overdue(dt.date(2026, 4, 30))
    entry.refresh_from_db()
    assert (entry.amount, entry.days) == (Decimal("2260.50"), 11)
    assert [e.action for e in entry.events.all()] == ["accrued", "accrued", "settled"]


NEW_RULE = {"name": "驻场人员不足", "clause": "九.5", "liable": "b", "base": "total", "rate": "万分之一",
            "per": "day", "cap": "50000"}


def test_the_pm_adds_a_rule_the_import_did_not_find_and_records_a_penalty_under_it(contract, pm, seed_ledger, client_for):
    web = client_for(pm)
    assert f'action="/ledger/{contract.pk}/rules/new/"' in web.get(f"/ledger/{contract.pk}/").content.decode()
    for name in ("驻场人员不足", "未按时提交月报"):
        answer = web.post(f"/ledger/{contract.pk}/rules/new/", NEW_RULE | {"name": name})
        assert answer.status_code == 302 and answer["Location"].endswith("#penalties")
    first, second = PenaltyRule.objects.filter(contract=contract, key__startswith="custom-").order_by("key")
    assert (first.key, first.name, first.rate, first.per, first.cap) == (
        "custom-1", "驻场人员不足", Decimal("0.0001"), "day", Decimal("50000"))
    assert second.key == "custom-2"
    record = AuditRecord.objects.get(action="ledger.penalty_rule_saved", object_id=str(first.pk))
    assert record.before is None and record.after["rate"] == "0.0001" and record.actor == pm
    web.post(f"/ledger/rules/{first.pk}/record/", {"description": "驻场缺 1 人", "occurred_on": "2026-05-01",
                                                  "days": "3"})
    entry = PenaltyEntry.objects.get(rule=first)
    assert entry.amount == Decimal("411.00")  # 1,370,000 × 0.0001 × 3


@pytest.mark.parametrize(("field", "value"), [("rate", "万分之"), ("name", ""), ("liable", ""), ("per", "hour"),
                                              ("cap", "五万")])
def test_a_new_rule_with_a_bad_or_missing_value_is_a_400_naming_it(contract, pm, client_for, field, value):
    answer = client_for(pm).post(f"/ledger/{contract.pk}/rules/new/", NEW_RULE | {field: value})
    assert answer.status_code == 400 and field in answer.content.decode()
    assert not PenaltyRule.objects.filter(contract=contract).exists()


def test_only_the_contracts_ledger_managers_add_rules(contract, liaison, viewer, outsider, client_for):
    for bureau in (liaison, viewer):
        assert client_for(bureau).post(f"/ledger/{contract.pk}/rules/new/", NEW_RULE).status_code == 403
        assert "/rules/new/" not in client_for(bureau).get(f"/ledger/{contract.pk}/").content.decode()
    answer = client_for(outsider).post(f"/ledger/{contract.pk}/rules/new/", NEW_RULE)
    assert answer.status_code == 404 and contract.number not in answer.content.decode()
    assert not PenaltyRule.objects.filter(contract=contract).exists()


@pytest.mark.skipif("postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
                    reason="row locks; on SQLite write transactions run one at a time")
@pytest.mark.django_db(transaction=True)
def test_two_pms_adding_rules_at_once_get_one_each(contract, pm, make_member):
    import threading
    import time

    from django.db import connection, transaction

    other_pm = make_member(contract, "project_manager", username="pm_two")
    terms = {"clause": "九.5", "liable": "b", "base": "total", "rate": Decimal("0.0001"), "per": "day", "cap": None}
    first_added, release, errors = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                penalties.add_rule(contract, by=pm, name="甲", **terms)
                first_added.set()
                release.wait(10)  # still uncommitted while the second PM adds theirs
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            penalties.add_rule(contract, by=other_pm, name="乙", **terms)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_added.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)
    assert two.is_alive()  # waits for the first to commit, on the contract's row
    release.set()
    one.join(10)
    two.join(10)
    assert errors == []
    assert sorted(PenaltyRule.objects.filter(contract=contract).values_list("key", "name")) == [
        ("custom-1", "甲"), ("custom-2", "乙")]
