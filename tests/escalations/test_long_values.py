"""The escalation policy forms refuse a 10,000-character value naming the field."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.long_values import LONG, assert_refused
from weibao.contracts.models import Contract
from weibao.escalations.models import EscalationPolicy


@pytest.fixture
def seed(demo_data, db):
    contract = Contract.objects.get(number="HTDZ202602135")
    return {"pm": get_user_model().objects.get(username="pm"),
            "policy": EscalationPolicy.objects.filter(contract=contract).first()}


@pytest.mark.parametrize("field", ["name", "description"])
def test_a_new_policy_refuses_an_over_long_value(seed, client_for, field):
    # The description is free text of up to 20,000 characters: twice the usual probe.
    value = LONG * 2 + "长" if field == "description" else LONG
    response = client_for(seed["pm"]).post("/escalations/policies/", {"name": "升级", field: value})
    assert_refused(response, field)


@pytest.mark.parametrize(("action", "field"), [
    ("save", "name"), ("add_step", "target_ref"), ("add_trigger", "event_type"), ("add_trigger", "only_for"),
])
def test_a_policy_edit_refuses_an_over_long_value(seed, client_for, action, field):
    data = {"action": action, "name": seed["policy"].name, "target_kind": "user", "urgency": "normal",
            "event_type": "ticket.created"}
    data["target_ref_user" if field == "target_ref" else field] = LONG
    response = client_for(seed["pm"]).post(f"/escalations/policies/{seed['policy'].pk}/", data)
    assert_refused(response, field)
