"""The payment schedule through the API: a milestone added, corrected and removed with the
same rules, messages and audit as on the ledger page (``ledger.params`` parses both), and
only by the contract's ledger managers."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from weibao.audit.models import AuditRecord
from weibao.ledger.models import PaymentMilestone
from weibao.ledger.services import payments

NEW = {"name": "补充协议款", "kind": "instalment", "amount": "100000.00", "due_on": "2026-09-30",
       "condition": "补充协议签订后", "clause": "补充.1"}


def test_the_pm_adds_corrects_and_removes_a_milestone(contract, pm, seed_ledger, api_client_for):
    api = api_client_for(pm)
    # 1,370,000 of the contract: 411,000 + 959,000 already scheduled, so lower the last one first.
    answer = api.post(f"/api/v1/contracts/{contract.pk}/payments/", NEW, format="json")
    assert answer.status_code == 400 and "1370000.00" in answer.content.decode()
    # A number is taken as its digits.
    assert api.patch(f"/api/v1/milestones/{seed_ledger['final'].pk}/", {"amount": 858999.5},
                     format="json").json()["amount"] == "858999.50"

    answer = api.post(f"/api/v1/contracts/{contract.pk}/payments/", NEW, format="json")
    assert answer.status_code == 201, answer.content
    added = answer.json()
    assert (added["sequence"], added["name"], added["amount"], added["due_on"], added["requires_handover"],
            added["ratio"]) == (3, "补充协议款", "100000.00", "2026-09-30", False, "0.072993")
    milestone = PaymentMilestone.objects.get(pk=added["id"], contract=contract)
    assert AuditRecord.objects.filter(action="ledger.milestone_added", object_id=str(milestone.pk), actor=pm).exists()

    # A PATCH changes only what it names.
    answer = api.patch(f"/api/v1/milestones/{milestone.pk}/", {"due_on": "2026-10-31", "requires_handover": True},
                       format="json")
    assert answer.status_code == 200
    milestone.refresh_from_db()
    assert (milestone.due_on, milestone.requires_handover, milestone.name, milestone.condition) == (
        dt.date(2026, 10, 31), True, "补充协议款", "补充协议签订后")
    record = AuditRecord.objects.filter(action="ledger.milestone_changed", object_id=str(milestone.pk)).latest("id")
    assert (record.before["due_on"], record.after["due_on"]) == ("2026-09-30", "2026-10-31")
    assert api.get(f"/api/v1/milestones/{milestone.pk}/").json()["due_on"] == "2026-10-31"

    assert api.delete(f"/api/v1/milestones/{milestone.pk}/").status_code == 204
    assert not PaymentMilestone.objects.filter(pk=milestone.pk).exists()
    assert AuditRecord.objects.filter(action="ledger.milestone_removed", object_id=str(milestone.pk)).exists()


def test_the_late_payment_penalty_follows_a_correction_made_through_the_api(pm, seed_ledger, api_client_for, clock):
    clock.set_now(datetime(2026, 3, 20, 2, 0, tzinfo=UTC))  # 11 days after the advance was due
    advance = seed_ledger["advance"]
    entry = payments.accrue_late_payment(advance)
    answer = api_client_for(pm).patch(f"/api/v1/milestones/{advance.pk}/", {"due_on": "2026-03-31"}, format="json")
    assert answer.status_code == 200
    entry.refresh_from_db()
    assert entry.status == "withdrawn"  # not late by its corrected day
    assert entry.events.order_by("-id").first().action == "corrected"


def test_a_milestone_with_money_on_it_is_not_removed(pm, seed_ledger, api_client_for):
    advance = seed_ledger["advance"]
    payments.record_receipt(advance, amount=Decimal("411000"), received_on=dt.date(2026, 3, 5), reference="", by=pm)
    answer = api_client_for(pm).delete(f"/api/v1/milestones/{advance.pk}/")
    assert answer.status_code == 400 and "milestone" in answer.json()
    assert PaymentMilestone.objects.filter(pk=advance.pk).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({**NEW, "amount": "12.345"}, "amount"),
    ({**NEW, "amount": [1]}, "amount"),
    ({**NEW, "name": ""}, "name"),
    ({**NEW, "name": {"x": 1}}, "name"),
    ({**NEW, "name": "名" * 101}, "name"),
    ({**NEW, "kind": "bonus"}, "kind"),
    ({k: v for k, v in NEW.items() if k != "kind"}, "kind"),
    ({**NEW, "due_on": "2026-02-30"}, "due_on"),
    ({**NEW, "due_on": "٢٠٢٦-01-01"}, "due_on"),
    ({**NEW, "requires_handover": "yes"}, "requires_handover"),
    ({**NEW, "condition": "条" * 301}, "condition"),
    ([NEW], "detail"),  # a list, not an object (the API's JSON parser)
    # JSON that is not text where text belongs: a 400, not its str() ("True", "0").
    ({**NEW, "name": True}, "name"),
    ({**NEW, "condition": False}, "condition"),
    ({**NEW, "clause": 0}, "clause"),
    ({**NEW, "amount": True}, "amount"),
    ({**NEW, "amount": 0}, "amount"),
    ({**NEW, "requires_handover": None}, "requires_handover"),
    ({**NEW, "due_date": "2026-09-30"}, "due_date"),  # a typo is named, not ignored
])
def test_a_bad_value_is_a_400_naming_its_field_and_adds_nothing(contract, pm, seed_ledger, api_client_for, body, field):
    before = PaymentMilestone.objects.count()
    answer = api_client_for(pm).post(f"/api/v1/contracts/{contract.pk}/payments/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert PaymentMilestone.objects.count() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "-1"}, "amount"), ({"amount": None}, "amount"), ({"name": "  "}, "name"),
    ({"requires_handover": 1}, "requires_handover"), ({"due_on": 20260101}, "due_on"),
    ({"sequence": 2}, "sequence"), ({"requires_handover": None}, "requires_handover"),
])
def test_a_bad_correction_is_a_400_naming_its_field_and_changes_nothing(pm, seed_ledger, api_client_for, body, field):
    advance = seed_ledger["advance"]
    answer = api_client_for(pm).patch(f"/api/v1/milestones/{advance.pk}/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    advance.refresh_from_db()
    assert (advance.amount, advance.name, advance.due_on) == (Decimal("411000.00"), "预付款", dt.date(2026, 3, 9))


def test_only_the_contracts_ledger_managers_write_and_others_learn_nothing(
        contract, pm, liaison, agent, outsider, seed_ledger, api_client_for):
    advance = seed_ledger["advance"]
    urls = [("post", f"/api/v1/contracts/{contract.pk}/payments/", NEW),
            ("patch", f"/api/v1/milestones/{advance.pk}/", {"amount": "1"}),
            ("delete", f"/api/v1/milestones/{advance.pk}/", None)]
    for method, url, body in urls:
        answer = getattr(api_client_for(outsider), method)(url, body, format="json")
        assert answer.status_code == 404, (method, url)
        assert "预付款" not in answer.content.decode() and contract.number not in answer.content.decode()
        assert getattr(api_client_for(liaison), method)(url, body, format="json").status_code == 403, (method, url)
    assert api_client_for(outsider).get(f"/api/v1/milestones/{advance.pk}/").status_code == 404
    # The bureau reads the milestone (as it reads the schedule); an engineer does not.
    assert api_client_for(liaison).get(f"/api/v1/milestones/{advance.pk}/").json()["amount"] == "411000.00"
    assert api_client_for(agent).get(f"/api/v1/milestones/{advance.pk}/").status_code == 403
    advance.refresh_from_db()
    assert advance.amount == Decimal("411000.00") and PaymentMilestone.objects.filter(contract=contract).count() == 2
