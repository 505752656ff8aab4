"""The hotline agent sees who is on call now, to know whom to call (issue 14 item 1)."""

from __future__ import annotations

import datetime as dt

import pytest

from weibao.core import clock as core_clock
from weibao.oncall.models import Layer, Schedule

pytestmark = pytest.mark.django_db


def test_the_hotline_screen_names_the_engineer_on_call(contract, make_member, client_for, clock):
    agent = make_member(contract, "hotline_agent", username="agent1")
    engineer = make_member(contract, "oncall_engineer", username="zhao", display_name="赵磊")
    schedule = Schedule.objects.create(contract=contract, name="7×24 技术支持值班")
    Layer.objects.create(schedule=schedule, name="全天", level=1, rotation="weekly", shift_days=7,
                         starts_at=dt.datetime(2026, 1, 5, 9, tzinfo=core_clock.SHANGHAI),
                         participants=[engineer.pk], days="all")
    page = client_for(agent).get("/hotline/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "赵磊" in body and "7×24 技术支持值班" in body
