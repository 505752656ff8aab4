"""Every team-register and training form refuses a 10,000-character value naming the
field."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.long_values import post_long_value
from weibao.contracts.models import Contract
from weibao.people.models import StaffProfile, TrainingPlan, TrainingSession


@pytest.fixture
def seed(demo_data, db):
    contract = Contract.objects.get(number="HTDZ202602135")
    return {
        "users": {u.username: u for u in get_user_model().objects.filter(username__in=["pm", "liaison", "engineer"])},
        "profile": StaffProfile.objects.filter(contract=contract).first(),
        "plan": TrainingPlan.objects.filter(contract=contract).first(),
        "session": TrainingSession.objects.filter(contract=contract).first(),
    }


def _forms(seed):
    p, s = seed["profile"], seed["session"]
    return {
        "profile_edit": ("pm", f"/people/{p.pk}/edit/", {"employer": "乙方", "position": "工程师"}),
        "add_policy": ("pm", f"/people/{p.pk}/policies/", {"kind": "accident", "insurer": "保险", "policy_number": "1",
                                                          "valid_from": "2026-01-01", "valid_until": "2026-12-31"}),
        "add_qualification": ("pm", f"/people/{p.pk}/qualifications/", {"name": "证书"}),
        "grant_override": ("pm", f"/people/{p.pk}/override/", {"until": "2026-12-31"}),
        "save_plan": ("pm", "/people/training/plan/", {"year": "2026", "title": "培训", "planned_sessions": "2"}),
        "session_edit": ("pm", f"/people/training/sessions/{s.pk}/edit/",
                         {"topic": "培训", "place": "会议室", "trainer": "讲师", "starts_at": "2026-12-10T09:00",
                          "ends_at": "2026-12-10T11:00"}),
        "add_attendee": ("pm", f"/people/training/sessions/{s.pk}/attendees/", {"name": "张三"}),
        "feedback": ("liaison", f"/people/training/sessions/{s.pk}/feedback/", {"satisfaction": "5"}),
    }


CASES = [
    ("profile_edit", "employer"), ("profile_edit", "position"), ("add_policy", "insurer"),
    ("add_policy", "policy_number"), ("add_qualification", "name"), ("add_qualification", "issuer"),
    ("add_qualification", "number"), ("grant_override", "reason"), ("save_plan", "title"), ("session_edit", "topic"),
    ("session_edit", "place"), ("session_edit", "trainer"), ("add_attendee", "name"),
    ("add_attendee", "organisation"), ("feedback", "comment"),
]


@pytest.mark.parametrize(("form", "field"), CASES)
def test_an_over_long_value_is_refused_naming_the_field(seed, client_for, form, field):
    post_long_value(client_for, seed["users"], _forms(seed), form, field)
