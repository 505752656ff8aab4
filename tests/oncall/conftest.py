from __future__ import annotations

import datetime as dt

import pytest

from weibao.core import clock as core_clock
from weibao.oncall.models import Layer, Schedule

SH = core_clock.SHANGHAI


def at(y, m, d, h=0, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


@pytest.fixture
def team(contract, make_member):
    return {
        "a": make_member(contract, "oncall_engineer", username="zhao", display_name="赵磊"),
        "b": make_member(contract, "resident_engineer", username="li", display_name="李明"),
        "agent": make_member(contract, "hotline_agent", username="liu"),
        "liaison": make_member(contract, "bureau_liaison", username="chen"),
        "viewer": make_member(contract, "bureau_viewer", username="zheng"),
        "auditor": make_member(contract, "auditor", username="zhou"),
    }


@pytest.fixture
def schedule(contract, team):
    """Working days only: nights (18:00–08:30) by a, days (08:30–18:00) by b."""
    s = Schedule.objects.create(contract=contract, name="技术支持值班")
    Layer.objects.create(schedule=s, name="夜间", level=1, rotation="weekly", shift_days=7,
                         starts_at=at(2026, 1, 5, 9), participants=[team["a"].pk], days="working",
                         window_start=dt.time(18), window_end=dt.time(8, 30))
    Layer.objects.create(schedule=s, name="白天", level=2, rotation="daily", shift_days=1,
                         starts_at=at(2026, 1, 5, 8, 30), participants=[team["b"].pk], days="working",
                         window_start=dt.time(8, 30), window_end=dt.time(18))
    return s
