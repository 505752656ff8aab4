"""Every on-call form refuses a 10,000-character value naming the field (it was a 500 on
PostgreSQL for a schedule's name)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.long_values import post_long_value
from weibao.contracts.models import Contract
from weibao.oncall.models import DutyDay, DutyPlan, Schedule


@pytest.fixture
def seed(demo_data, db):
    contract = Contract.objects.get(number="HTDZ202602135")
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["pm", "liaison", "engineer"])}
    schedule = Schedule.objects.filter(contract=contract).first()
    day = DutyDay.objects.filter(plan__contract=contract).first()
    return {"contract": contract, "users": users, "schedule": schedule, "day": day}


def _forms(seed):
    s, day, engineer = seed["schedule"], seed["day"], seed["users"]["engineer"]
    return {
        "schedule_new": ("pm", "/oncall/schedules/new/", {"name": "值班表", "description": ""}),
        "schedule_edit": ("pm", f"/oncall/schedules/{s.pk}/edit/", {"name": s.name, "description": ""}),
        "layer_new": ("pm", f"/oncall/schedules/{s.pk}/layers/",
                      {"name": "轮值", "starts_at": "2026-12-07T09:00", "rotation": "weekly",
                       "participants": [engineer.pk]}),
        "override_new": ("pm", "/oncall/overrides/new/",
                         {"schedule": s.pk, "user": engineer.pk, "start": "2026-12-08T09:00",
                          "end": "2026-12-08T18:00", "reason": ""}),
        "time_off_new": ("engineer", "/oncall/time-off/",
                         {"start": "2026-12-08T09:00", "end": "2026-12-08T18:00", "reason": ""}),
        "holiday_day": ("pm", f"/oncall/holidays/days/{day.pk}/", {"mode": "remote", "note": ""}),
        "holiday_confirm": ("liaison", f"/oncall/holidays/{day.plan_id}/confirm/", {"note": ""}),
        "handover": ("engineer", "/oncall/handovers/", {"incoming": seed["users"]["pm"].pk, "notes": "交班",
                                                         "tickets": ""}),
    }


CASES = [
    ("schedule_new", "name"), ("schedule_new", "description"), ("schedule_edit", "name"), ("layer_new", "name"),
    ("override_new", "reason"), ("time_off_new", "reason"), ("holiday_day", "note"), ("holiday_confirm", "note"),
    ("handover", "notes"), ("handover", "tickets"),
]


@pytest.mark.parametrize(("form", "field"), CASES)
def test_an_over_long_value_is_refused_naming_the_field(seed, client_for, form, field):
    if form == "holiday_confirm":
        DutyPlan.objects.filter(pk=seed["day"].plan_id).update(status=DutyPlan.Status.SENT)
    post_long_value(client_for, seed["users"], _forms(seed), form, field)
