"""Every incident, plan, drill and inspection form refuses a 10,000-character value
naming the field, before a service or the database sees it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.long_values import post_long_value
from weibao.contracts.models import Contract
from weibao.incidents.models import Drill, Incident, InspectionItem, LevelDefinition, ReportingDuty


@pytest.fixture
def seed(demo_data, db):
    contract = Contract.objects.get(number="HTDZ202602135")
    incident = Incident.objects.filter(contract=contract).first()
    return {
        "users": {u.username: u for u in get_user_model().objects.filter(username__in=["pm", "engineer"])},
        "incident": incident,
        "duty": ReportingDuty.objects.filter(incident__contract=contract).first(),
        "drill": Drill.objects.filter(contract=contract).first(),
        "item": InspectionItem.objects.filter(inspection__contract=contract).first(),
        "level": LevelDefinition.objects.filter(contract=contract).first(),
    }


def _forms(seed):
    i, duty, drill = seed["incident"].pk, seed["duty"], seed["drill"]
    return {
        "incident_new": ("pm", "/incidents/new/", {"level": "IV", "category": "equipment"}),
        "resolve": ("pm", f"/incidents/{i}/resolve/", {}),
        "reopen": ("pm", f"/incidents/{i}/reopen/", {}),
        "classify": ("pm", f"/incidents/{i}/classify/", {"level": "IV", "category": "equipment"}),
        "note": ("pm", f"/incidents/{i}/note/", {}),
        "link_ticket": ("pm", f"/incidents/{i}/tickets/", {}),
        "report": ("pm", f"/incidents/{duty.incident_id}/reports/{duty.pk}/",
                   {"reported_at": "2026-12-06T10:00", "content": "已报告"}),
        "review": ("pm", f"/incidents/{i}/review/", {}),
        "integration": ("pm", "/incidents/integrations/", {"kind": "alertmanager", "name": "告警"}),
        "silence": ("pm", "/incidents/silences/new/", {"matchers": "alertname=Down", "starts_at": "2026-12-06T10:00",
                                                       "ends_at": "2026-12-06T12:00"}),
        "levels": ("pm", "/incidents/levels/", {}),
        "plan_new": ("pm", "/incidents/plans/new/", {"title": "预案", "scenario": "portal_down", "level": "IV"}),
        "drill_finish": ("pm", f"/incidents/drills/{drill.pk}/finish/", {}),
        "inspection_record": ("engineer", f"/incidents/inspections/items/{seed['item'].pk}/" if seed["item"] else "",
                              {"result": "fail"}),
    }


CASES = [
    ("incident_new", "title"), ("resolve", "note"), ("reopen", "reason"), ("classify", "reason"), ("note", "body"),
    ("link_ticket", "ticket"), ("report", "reported_to"), ("report", "channel"), ("review", "follow_ups"),
    ("integration", "name"), ("integration", "group_by"), ("silence", "comment"), ("levels", "regulator_name_"),
    ("plan_new", "title"), ("plan_new", "role_1"), ("drill_finish", "follow_ups"), ("inspection_record", "note"),
]


@pytest.mark.parametrize(("form", "field"), CASES)
def test_an_over_long_value_is_refused_naming_the_field(seed, client_for, form, field):
    if field == "regulator_name_":
        field += seed["level"].level
    post_long_value(client_for, seed["users"], _forms(seed), form, field)
