"""Every change and data-access form refuses a 10,000-character value naming the field."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.long_values import post_long_value
from weibao.changes.models import ChangeRequest, DataAccessRequest, StandardChangeTemplate
from weibao.contracts.models import Contract


@pytest.fixture
def seed(demo_data, db):
    contract = Contract.objects.get(number="HTDZ202602135")
    template = StandardChangeTemplate.objects.filter(contract=contract).first()
    return {
        "users": {u.username: u for u in get_user_model().objects.filter(username__in=["pm", "engineer", "liaison"])},
        "change": ChangeRequest.objects.filter(contract=contract, status=ChangeRequest.Status.REQUESTED).first(),
        "data": DataAccessRequest.objects.filter(contract=contract).first(),
        "template": template,
    }


def _forms(seed):
    c, d = seed["change"].pk, seed["data"].pk
    new_change = {"kind": "normal", "title": "升级", "reason": "补丁", "implementation_plan": "p", "rollback_plan": "b",
                  "planned_start": "2026-12-20T20:00", "planned_end": "2026-12-20T22:00"}
    return {
        "change_new": ("engineer", "/changes/new/", new_change),
        "approve": ("liaison", f"/changes/{c}/approve/", {"decision": "approve"}),
        "endorse": ("pm", f"/changes/{c}/endorse/", {"decision": "approve"}),
        "transition": ("engineer", f"/changes/{c}/transition/", {"to": "cancelled"}),
        "link": ("engineer", f"/changes/{c}/link/", {}),
        "template_new": ("pm", "/changes/templates/new/", {"name": "重启", "description": "d",
                                                         "implementation_plan": "p", "rollback_plan": "b"}),
        "template_approve": ("liaison", f"/changes/templates/{seed['template'].pk}/approve/" if seed["template"] else "",
                             {}),
        "data_new": ("engineer", "/changes/data/new/", {"purpose": "核对", "data_scope": "证照", "systems": "证照库",
                                                        "period_start": "2026-12-10", "period_end": "2026-12-11"}),
        "data_decide": ("liaison", f"/changes/data/{d}/decide/", {"decision": "approve"}),
    }


CASES = [
    ("change_new", "title"), ("change_new", "tickets"), ("approve", "comment"), ("approve", "otp"),
    ("endorse", "comment"), ("transition", "comment"), ("link", "ticket"), ("template_new", "name"),
    ("template_approve", "otp"), ("data_new", "purpose"), ("data_new", "systems"), ("data_decide", "comment"),
]


@pytest.mark.parametrize(("form", "field"), CASES)
def test_an_over_long_value_is_refused_naming_the_field(seed, client_for, form, field):
    post_long_value(client_for, seed["users"], _forms(seed), form, field)
