"""The acceptance interface: /api/v1/oncall/now/ and /api/v1/oncall/gaps/, exact on
hand-computed cases; isolation and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.oncall.conftest import at
from weibao.oncall import services
from weibao.oncall.models import DutySettings, Override, ResidencyShift, TimeOff
from weibao.visits.models import Visit

pytestmark = pytest.mark.django_db


def iso(moment):
    return moment.isoformat()


def test_now_answers_who_since_and_until(clock, contract, pm, team, schedule, api_client_for):
    # 2026-11-24 10:00 Tuesday: b's day stretch, 08:30–18:00.
    body = api_client_for(pm).get(f"/api/v1/oncall/now/?contract={contract.pk}").json()
    assert body == {"results": [{
        "schedule": {"id": schedule.pk, "name": "技术支持值班"},
        "user": {"id": team["b"].pk, "username": "li", "name": "李明"},
        "since": iso(at(2026, 11, 24, 8, 30).astimezone(dt.UTC)),
        "until": iso(at(2026, 11, 24, 18).astimezone(dt.UTC)),
    }]}
    assert services.on_call_at(schedule, at(2026, 11, 24, 23)) == [team["a"]]
    assert services.on_call_at(schedule, at(2026, 11, 28, 12)) == []  # Saturday: nobody


def test_gap_report_is_exact(clock, contract, pm, team, schedule, api_client_for):
    TimeOff.objects.create(contract=contract, user=team["b"], start=at(2026, 11, 25, 10), end=at(2026, 11, 25, 12))
    # A swap replacing a on Wednesday night with b, b then on leave from 02:00 to 03:00.
    Override.objects.create(contract=contract, schedule=schedule, kind="swap", user=team["b"], replaces=team["a"],
                            start=at(2026, 11, 25, 18), end=at(2026, 11, 26, 8, 30), status="approved")
    TimeOff.objects.create(contract=contract, user=team["b"], start=at(2026, 11, 26, 2), end=at(2026, 11, 26, 3))
    ResidencyShift.objects.create(contract=contract, date=dt.date(2026, 11, 26), user=team["b"])
    Visit.objects.create(contract=contract, kind="planned", engineer=team["b"], planned_start=at(2026, 11, 24, 9),
                         planned_end=at(2026, 11, 24, 11), location="机房", purpose="巡检",
                         arrived_at=at(2026, 11, 24, 9, 30), status="on_site")
    body = api_client_for(pm).get(f"/api/v1/oncall/gaps/?contract={contract.pk}&days=5").json()
    ref = {"id": schedule.pk, "name": "技术支持值班"}
    utc = lambda m: iso(m.astimezone(dt.UTC))  # noqa: E731
    assert body["uncovered"] == [
        {"start": utc(at(2026, 11, 25, 10)), "end": utc(at(2026, 11, 25, 12)), "schedule": ref},
        {"start": utc(at(2026, 11, 26, 2)), "end": utc(at(2026, 11, 26, 3)), "schedule": ref},
        # Friday's night ends Saturday 08:30; the weekend has no layer, up to the horizon.
        {"start": utc(at(2026, 11, 28, 8, 30)), "end": utc(at(2026, 11, 29, 10)), "schedule": ref},
    ]
    # 11-24: a visit check-in is the evidence; 11-26 rostered; 11-25 and 11-27 nobody.
    assert body["residency_short"] == [
        {"date": "2026-11-25", "have": 0, "need": 1},
        {"date": "2026-11-27", "have": 0, "need": 1},
    ]


def test_residency_minimum_and_time_off(clock, contract, pm, team, schedule, api_client_for):
    DutySettings.objects.create(contract=contract, residency_minimum=2)
    for user in (team["a"], team["b"]):
        ResidencyShift.objects.create(contract=contract, date=dt.date(2026, 11, 24), user=user)
    TimeOff.objects.create(contract=contract, user=team["a"], start=at(2026, 11, 24), end=at(2026, 11, 25))
    body = api_client_for(pm).get(f"/api/v1/oncall/gaps/?contract={contract.pk}&days=1").json()
    assert body["residency_short"] == [{"date": "2026-11-24", "have": 1, "need": 2},
                                       {"date": "2026-11-25", "have": 0, "need": 2}]


def test_a_contract_without_schedule_is_uncovered_throughout(clock, contract, pm, api_client_for):
    body = api_client_for(pm).get(f"/api/v1/oncall/gaps/?contract={contract.pk}&days=1").json()
    assert body["uncovered"] == [{"start": "2026-11-24T02:00:00+00:00", "end": "2026-11-25T02:00:00+00:00",
                                  "schedule": None}]


def test_make_up_workday_and_holiday(clock, contract, pm, team, schedule):
    # 2026-10-10 (Saturday) is a make-up working day: covered; 10-05 (National Day) is not.
    assert services.on_call_at(schedule, at(2026, 10, 10, 12)) == [team["b"]]
    assert services.on_call_at(schedule, at(2026, 10, 5, 12)) == []


@pytest.mark.parametrize("query, field", [
    ("", "contract"), ("contract=abc", "contract"), ("contract=%EF%BC%92", "contract"),
    ("contract={pk}&days=0", "days"), ("contract={pk}&days=1e999", "days"), ("contract={pk}&days=401", "days"),
    ("contract={pk}&days=%C2%B2", "days"),
])
def test_bad_input_is_a_400_naming_the_field(clock, contract, pm, api_client_for, query, field):
    response = api_client_for(pm).get("/api/v1/oncall/gaps/?" + query.format(pk=contract.pk))
    assert response.status_code == 400
    assert field in response.json()


def test_isolation(clock, contract, other_contract, pm, outsider, team, schedule, api_client_for):
    for path in ("now", "gaps"):
        response = api_client_for(outsider).get(f"/api/v1/oncall/{path}/?contract={contract.pk}")
        assert response.status_code == 404
        assert "技术支持值班" not in response.content.decode()
    # The outsider's own contract answers, and shows nothing of the seed's.
    body = api_client_for(outsider).get(f"/api/v1/oncall/now/?contract={other_contract.pk}").json()
    assert body == {"results": []}


def test_who_may_read_the_gaps(clock, contract, team, schedule, api_client_for):
    assert api_client_for(team["a"]).get(f"/api/v1/oncall/gaps/?contract={contract.pk}").status_code == 403
    assert api_client_for(team["agent"]).get(f"/api/v1/oncall/now/?contract={contract.pk}").status_code == 200
    assert api_client_for(team["liaison"]).get(f"/api/v1/oncall/gaps/?contract={contract.pk}").status_code == 200
