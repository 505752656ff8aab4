"""Every ledger form refuses an over-long value naming the field (a 10,000-character one,
and an account number one past its column: the record form allowed 300 for every field,
which PostgreSQL refused with a 500 for the 64-character ones)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.long_values import assert_refused, post_long_value
from weibao.contracts.models import Contract
from weibao.ledger.models import BreachNotice, PaymentMilestone, PenaltyEntry, PenaltyRule


@pytest.fixture
def seed(demo_data, db):
    contract = Contract.objects.get(number="HTDZ202602135")
    return {
        "contract": contract,
        "users": {u.username: u for u in get_user_model().objects.filter(username__in=["pm", "liaison"])},
        "milestone": PaymentMilestone.objects.filter(contract=contract).first(),
        "rule": PenaltyRule.objects.filter(contract=contract).first(),
        "entry": PenaltyEntry.objects.filter(contract=contract).first(),
        "notice": BreachNotice.objects.filter(contract=contract).first(),
    }


def _record(contract) -> dict:
    data = {name: getattr(contract, name) or "" for name in (
        "name", "procurement_number", "party_a", "party_a_representative", "party_a_address", "party_a_bank",
        "party_a_account", "party_b", "party_b_representative", "party_b_address", "party_b_bank",
        "party_b_account", "amount_in_words", "service_scope")}
    return {**data, "amount": str(contract.amount), "signed_on": "", "term_start": contract.term_start.isoformat(),
            "term_end": contract.term_end.isoformat(), "status": contract.status}


def _forms(seed):
    c = seed["contract"].pk
    return {
        "record": ("pm", f"/ledger/{c}/record/", _record(seed["contract"])),
        "invoice": ("pm", f"/ledger/milestones/{seed['milestone'].pk}/invoice/", {"amount": "1.00"}),
        "receipt": ("pm", f"/ledger/milestones/{seed['milestone'].pk}/receipt/", {"amount": "1.00"}),
        "record_penalty": ("pm", f"/ledger/rules/{seed['rule'].pk}/record/", {"occurred_on": "2026-12-01"}),
        "approve_penalty": ("pm", f"/ledger/penalties/{seed['entry'].pk}/approve/" if seed["entry"] else "", {}),
        "issue_notice": ("pm", f"/ledger/{c}/breach/", {"description": "违约", "issued_on": "2026-12-01"}),
        "notice_outcome": ("pm", f"/ledger/notices/{seed['notice'].pk}/outcome/" if seed["notice"] else "",
                           {"outcome": "remedied"}),
        "force_majeure": ("pm", f"/ledger/{c}/force-majeure/", {"occurred_on": "2026-12-01", "party": "b",
                                                                "description": "暴雨"}),
        "renew": ("pm", f"/ledger/{c}/renew/", {"term_start": "2027-03-09", "term_end": "2028-03-08",
                                                "amount": "1370000"}),
    }


CASES = [
    ("record", "name"), ("record", "party_a_account"), ("invoice", "number"), ("receipt", "reference"),
    ("record_penalty", "description"), ("approve_penalty", "note"), ("issue_notice", "clause"),
    ("notice_outcome", "note"), ("force_majeure", "claim"), ("renew", "number"),
]


@pytest.mark.parametrize(("form", "field"), CASES)
def test_an_over_long_value_is_refused_naming_the_field(seed, client_for, form, field):
    post_long_value(client_for, seed["users"], _forms(seed), form, field)


def test_an_account_number_one_past_its_column_is_refused_not_a_server_error(seed, client_for):
    data = {**_record(seed["contract"]), "party_b_account": "6" * 65}
    response = client_for(seed["users"]["pm"]).post(f"/ledger/{seed['contract'].pk}/record/", data)
    assert_refused(response, "party_b_account")
