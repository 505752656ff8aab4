"""The calendar endpoints of the acceptance interface, their errors and their tenancy."""

from __future__ import annotations

import pytest

from weibao.audit.models import AuditRecord
from weibao.calendars.models import BusinessCalendar
from weibao.testing.isolation import assert_isolated

OFFICE_HOURS = [["09:00", "12:00"], ["13:30", "17:30"]]


@pytest.fixture
def api(pm, api_client_for):
    return api_client_for(pm)


@pytest.fixture
def office(api, contract):
    response = api.post(
        "/api/v1/calendars/",
        {"contract": contract.pk, "name": "工作日", "kind": "workday", "hours": OFFICE_HOURS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_calendar_is_audited_and_normalises_hours(office, contract):
    assert office["hours"] == OFFICE_HOURS
    assert AuditRecord.objects.filter(action="calendar.create", contract_id=contract.pk).exists()


def test_deadline_across_the_spring_festival(api, office):
    response = api.get(
        f"/api/v1/calendars/{office['id']}/deadline/",
        {"start": "2026-02-14T17:00:00+08:00", "minutes": 60},
    )
    assert response.status_code == 200
    assert response.json()["deadline"] == "2026-02-24T09:30:00+08:00"
    assert response.json()["uncovered_years"] == []


def test_deadline_accepts_utc_and_answers_in_shanghai_time(api, office):
    response = api.get(
        f"/api/v1/calendars/{office['id']}/deadline/",
        {"start": "2026-09-30T09:00:00Z", "minutes": 60},
    )
    assert response.json()["deadline"] == "2026-10-08T09:30:00+08:00"


def test_deadline_into_2027_rests_on_new_years_day_and_says_it_is_provisional(api, office):
    # Issue 13 item 9: 2027 has no notice loaded; 元旦 (Friday 2027-01-01) still rests.
    response = api.get(
        f"/api/v1/calendars/{office['id']}/deadline/",
        {"start": "2026-12-31T16:00:00+08:00", "minutes": 600},
    )
    body = response.json()
    assert body["deadline"] == "2027-01-05T10:30:00+08:00"
    assert body["uncovered_years"] == [2027]
    assert "2027" in body["warning"] and "法定节假日" in body["warning"] and "暂定" in body["warning"]
    assert "Monday" not in body["warning"]  # the reader's language only


def test_provisional_spring_festival_2027_runs_from_new_years_eve(api, office):
    response = api.get(
        f"/api/v1/calendars/{office['id']}/deadline/",
        {"start": "2027-02-04T17:00:00+08:00", "minutes": 60},
    )
    assert response.json()["deadline"] == "2027-02-09T09:30:00+08:00"  # 除夕 02-05 to 初三 02-08


def test_seven_by_24_calendar(api, contract):
    created = api.post(
        "/api/v1/calendars/", {"contract": contract.pk, "name": "全天", "kind": "24x7"}, format="json"
    ).json()
    response = api.get(
        f"/api/v1/calendars/{created['id']}/deadline/",
        {"start": "2026-10-01T23:30:00+08:00", "minutes": 45},
    )
    assert response.json()["deadline"] == "2026-10-02T00:15:00+08:00"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2026-09-28", "days": 5, "rule": "working_days"}, "2026-10-10"),
        ({"from": "2026-09-25", "days": 7, "rule": "calendar_days"}, "2026-10-08"),
        ({"from": "2026-02-10", "days": 5, "rule": "calendar_days"}, "2026-02-24"),
    ],
)
def test_period(api, office, params, expected):
    response = api.get(f"/api/v1/calendars/{office['id']}/period/", params)
    assert response.status_code == 200
    assert response.json()["last_day"] == expected
    assert response.json()["ends_at"].startswith(expected[:8])


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("deadline", {"start": "yesterday", "minutes": 5}, "start"),
        ("deadline", {"minutes": 5}, "start"),
        ("deadline", {"start": "2026-01-01T00:00:00+08:00", "minutes": "ten"}, "minutes"),
        ("deadline", {"start": "2026-01-01T00:00:00+08:00", "minutes": -1}, "minutes"),
        ("deadline", {"start": "2026-01-01T00:00:00+08:00"}, "minutes"),
        ("deadline", {"start": "2099-01-01T00:00:00+08:00", "minutes": 5}, "start"),
        ("period", {"from": "2026-13-01", "days": 5, "rule": "working_days"}, "from"),
        ("period", {"from": "2026-01-01", "days": 0, "rule": "working_days"}, "days"),
        ("period", {"from": "2026-01-01", "days": 5, "rule": "weeks"}, "rule"),
        ("period", {"from": "2026-01-01", "days": 5}, "rule"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(api, office, path, params, field):
    response = api.get(f"/api/v1/calendars/{office['id']}/{path}/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_bad_hours_are_refused_naming_the_field(api, contract):
    response = api.post(
        "/api/v1/calendars/",
        {"contract": contract.pk, "name": "坏", "kind": "workday", "hours": [["17:00", "09:00"]]},
        format="json",
    )
    assert response.status_code == 400
    assert "hours" in response.json()


def test_only_the_project_manager_creates_calendars(contract, make_member, api_client_for):
    # Refused as the calendar page refuses them (403), not as a stranger to the contract.
    agent = make_member(contract, "hotline_agent")
    response = api_client_for(agent).post(
        "/api/v1/calendars/", {"contract": contract.pk, "name": "x", "kind": "24x7"}, format="json"
    )
    assert response.status_code == 403
    assert not BusinessCalendar.objects.filter(name="x").exists()


def test_a_member_who_may_not_edit_holidays_is_refused_whatever_the_body(contract, make_member, api_client_for):
    agent = api_client_for(make_member(contract, "hotline_agent"))
    assert agent.post("/api/v1/holidays/", {}, format="json").status_code == 403
    assert agent.post("/api/v1/holidays/import/", {}, format="json").status_code == 403


def test_holiday_edit_changes_deadlines(api, office, contract):
    response = api.post(
        "/api/v1/holidays/",
        {"contract": contract.pk, "date": "2026-03-02", "kind": "rest", "name": "本地活动"},
        format="json",
    )
    assert response.status_code == 201
    deadline = api.get(
        f"/api/v1/calendars/{office['id']}/deadline/",
        {"start": "2026-02-27T17:00:00+08:00", "minutes": 60},
    ).json()["deadline"]
    assert deadline == "2026-02-28T09:30:00+08:00"  # make-up Saturday
    deadline = api.get(
        f"/api/v1/calendars/{office['id']}/deadline/",
        {"start": "2026-02-28T17:00:00+08:00", "minutes": 60},
    ).json()["deadline"]
    assert deadline == "2026-03-03T09:30:00+08:00"  # Monday 03-02 is now a rest day
    assert AuditRecord.objects.filter(action="calendar.holiday.set").exists()


def test_importing_2027_removes_the_fallback_warning(api, office, contract):
    text = "# 2027 元旦\n2027-01-01,rest,元旦\n2027-01-02,work,调休\n"
    response = api.post(
        "/api/v1/holidays/import/",
        {"contract": contract.pk, "year": 2027, "text": text, "source": "国办发明电"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"imported": 2}
    body = api.get(
        f"/api/v1/calendars/{office['id']}/deadline/",
        {"start": "2026-12-31T17:00:00+08:00", "minutes": 60},
    ).json()
    assert body["uncovered_years"] == []
    assert body["deadline"] == "2027-01-02T09:30:00+08:00"
    assert body["warning"] == ""


def test_import_errors_name_the_line(api, contract):
    response = api.post(
        "/api/v1/holidays/import/",
        {"contract": contract.pk, "year": 2027, "text": "2027-01-01,rest\n2028-01-01,rest\n"},
        format="json",
    )
    assert response.status_code == 400
    assert "2" in response.json()["text"][0]


def test_calendars_are_isolated(office, outsider, api_client_for, client_for, contract):
    outsider_api = api_client_for(outsider)
    base = f"/api/v1/calendars/{office['id']}/"
    assert_isolated(
        outsider_api,
        [base, base + "deadline/?start=2026-01-01T00:00:00Z&minutes=5",
         base + "period/?from=2026-01-01&days=5&rule=working_days",
         "/api/v1/calendars/", f"/api/v1/calendars/?contract={contract.pk}",
         f"/api/v1/holidays/?contract={contract.pk}"],
        secrets=["工作日", contract.number],
    )
    response = outsider_api.post(
        "/api/v1/calendars/", {"contract": contract.pk, "name": "x", "kind": "24x7"}, format="json"
    )
    assert response.status_code == 404
