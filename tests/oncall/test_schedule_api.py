"""The schedules and their rotation layers through the API (/api/v1/oncall/schedules/,
/layers/): the same parser (oncall.params) and services as the pages — created, corrected
in place (who is on call follows), removed; bad bodies a 400 naming the field; another
contract's PM sees nothing; roles as the pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from weibao.audit.models import AuditRecord
from weibao.oncall import services
from weibao.oncall.models import Layer, Schedule

pytestmark = pytest.mark.django_db

LAYER = {"name": "一线", "rotation": "daily", "starts_at": "2026-11-24T09:00", "participants": []}


@pytest.fixture
def team(contract, make_member):
    return [make_member(contract, "resident_engineer", username=f"eng{i}") for i in range(3)]


def _schedule(api, contract, **body):
    return api.post("/api/v1/oncall/schedules/", {"contract": contract.pk, "name": "7×24 值班", **body}, format="json")


def test_a_schedule_and_its_layer_created_read_corrected_and_removed(contract, pm, team, api_client_for, clock):
    api = api_client_for(pm)
    made = _schedule(api, contract, description="热线与系统告警")
    assert made.status_code == 201, made.json()
    schedule_id = made.json()["id"]
    layer = api.post(f"/api/v1/oncall/schedules/{schedule_id}/layers/",
                     {**LAYER, "participants": [u.pk for u in team]}, format="json")
    assert layer.status_code == 201, layer.json()
    body = layer.json()
    assert (body["rotation"], body["shift_days"], body["starts_at"], body["participants"], body["level"]) == (
        "daily", 1, "2026-11-24T09:00", [u.pk for u in team], 1)
    schedule = Schedule.objects.get(pk=schedule_id)
    assert [u for _, u, *_ in services.on_call_now(contract)] == [team[0]]

    # Corrected in place: another order; who is on call follows at once.
    changed = api.patch(f"/api/v1/oncall/layers/{body['id']}/", {"participants": [team[2].pk, team[0].pk]},
                        format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["participants"] == [team[2].pk, team[0].pk] and changed.json()["rotation"] == "daily"
    assert [u for _, u, *_ in services.on_call_now(contract)] == [team[2]]
    assert Layer.objects.filter(schedule=schedule).count() == 1  # the same layer, not a new one

    listed = api.get("/api/v1/oncall/schedules/", {"contract": contract.pk}).json()["results"]
    assert [(s["name"], s["description"], [x["id"] for x in s["layers"]]) for s in listed] == [
        ("7×24 值班", "热线与系统告警", [body["id"]])]
    renamed = api.patch(f"/api/v1/oncall/schedules/{schedule_id}/", {"name": "值班（一线）"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["description"] == "热线与系统告警"

    assert api.delete(f"/api/v1/oncall/layers/{body['id']}/").status_code == 204
    assert api.delete(f"/api/v1/oncall/schedules/{schedule_id}/").status_code == 204
    assert not Schedule.objects.exists()
    actions = list(AuditRecord.objects.filter(action__startswith="oncall.").values_list("action", flat=True))
    assert actions.count("oncall.layer.saved") == 2 and "oncall.schedule.deleted" in actions


@pytest.mark.parametrize(("body", "field"), [
    ({"starts_at": "2026-11-24"}, "starts_at"),
    ({"starts_at": "2026-11-24T09:00+08:00"}, "starts_at"),
    ({"starts_at": None}, "starts_at"),
    ({"level": 0}, "level"),
    ({"level": 100}, "level"),
    ({"level": "²"}, "level"),
    ({"level": 1.5}, "level"),
    ({"shift_days": 367}, "shift_days"),
    ({"rotation": "hourly"}, "rotation"),
    ({"days": ["all"]}, "days"),
    ({"name": True}, "name"),
    ({"name": "长" * 101}, "name"),
    ({"participants": "1,2"}, "participants"),
    ({"participants": [True]}, "participants"),
    ({"participants": [1.5]}, "participants"),
    ({"participants": ["x"]}, "participants"),
    ({"participants": list(range(1, 52))}, "participants"),
    ({"window_start": "9:00", "window_end": "18:00"}, "window_start"),
    ({"window_start": "09:00"}, "window_end"),
    ({"starts": "2026-11-24T09:00"}, "starts"),
])
def test_a_bad_layer_is_a_400_naming_its_field(contract, pm, team, api_client_for, body, field):
    api = api_client_for(pm)
    schedule_id = _schedule(api, contract).json()["id"]
    sent = {**LAYER, "participants": [team[0].pk], **body}
    response = api.post(f"/api/v1/oncall/schedules/{schedule_id}/layers/", sent, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Layer.objects.exists()


def test_people_of_another_contract_are_refused(contract, pm, outsider, team, api_client_for):
    api = api_client_for(pm)
    schedule_id = _schedule(api, contract).json()["id"]
    response = api.post(f"/api/v1/oncall/schedules/{schedule_id}/layers/",
                        {**LAYER, "participants": [outsider.pk]}, format="json")
    assert response.status_code == 400 and "participants" in response.json()


@pytest.mark.parametrize(("body", "field"), [
    ({}, "contract"), ({"contract": "x"}, "contract"), ({"contract": [1]}, "contract"),
    ({"name": ""}, "name"), ({"name": ["a"]}, "name"), ({"colour": "red"}, "colour"),
])
def test_a_bad_schedule_is_a_400_naming_its_field(contract, pm, api_client_for, body, field):
    sent = {"contract": contract.pk, "name": "值班", **body}
    if body == {}:
        sent.pop("contract")
    response = api_client_for(pm).post("/api/v1/oncall/schedules/", sent, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_another_contracts_pm_sees_nothing_and_roles_hold(contract, pm, outsider, team, make_member, api_client_for):
    api = api_client_for(pm)
    schedule_id = _schedule(api, contract).json()["id"]
    layer_id = api.post(f"/api/v1/oncall/schedules/{schedule_id}/layers/",
                        {**LAYER, "participants": [team[0].pk]}, format="json").json()["id"]
    foreign = api_client_for(outsider)
    for method, url, body in [
        ("get", f"/api/v1/oncall/schedules/{schedule_id}/", None),
        ("patch", f"/api/v1/oncall/schedules/{schedule_id}/", {"name": "x"}),
        ("delete", f"/api/v1/oncall/schedules/{schedule_id}/", None),
        ("post", f"/api/v1/oncall/schedules/{schedule_id}/layers/", LAYER),
        ("get", f"/api/v1/oncall/layers/{layer_id}/", None),
        ("patch", f"/api/v1/oncall/layers/{layer_id}/", {"name": "x"}),
        ("delete", f"/api/v1/oncall/layers/{layer_id}/", None),
    ]:
        response = getattr(foreign, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert "7×24" not in response.content.decode() and "eng0" not in response.content.decode()
    assert _schedule(foreign, contract).status_code == 404  # the contract looks non-existent
    assert foreign.get("/api/v1/oncall/schedules/", {"contract": contract.pk}).status_code == 404
    # An engineer reads the rota but may not change it; the bureau liaison neither changes it.
    engineer = api_client_for(team[0])
    assert engineer.get(f"/api/v1/oncall/schedules/{schedule_id}/").status_code == 200
    assert engineer.patch(f"/api/v1/oncall/layers/{layer_id}/", {"name": "x"}, format="json").status_code == 403
    liaison = api_client_for(make_member(contract, "bureau_liaison", username="liaison"))
    assert _schedule(liaison, contract, name="另一个").status_code == 403
    assert Schedule.objects.count() == 1 and Layer.objects.get().name == "一线"


def test_what_is_read_can_be_sent_back(contract, pm, team, api_client_for):
    api = api_client_for(pm)
    schedule_id = _schedule(api, contract).json()["id"]
    made = api.post(f"/api/v1/oncall/schedules/{schedule_id}/layers/",
                    {**LAYER, "participants": [team[0].pk], "window_start": "18:00", "window_end": "09:00",
                     "days": "weekend", "level": 2}, format="json").json()
    again = dict(made)
    again.pop("id"), again.pop("schedule")
    response = api.patch(f"/api/v1/oncall/layers/{made['id']}/", again, format="json")
    assert response.status_code == 200 and response.json() == made
    assert Layer.objects.get().starts_at == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["0900Z", "T0900", "09.00", "9:00", "０9:00", "24:00"])
def test_a_time_of_day_is_hh_mm_and_nothing_else(contract, pm, team, api_client_for, value):
    api = api_client_for(pm)
    schedule_id = _schedule(api, contract).json()["id"]
    response = api.post(f"/api/v1/oncall/schedules/{schedule_id}/layers/",
                        {**LAYER, "participants": [team[0].pk], "window_start": value, "window_end": "18:00"},
                        format="json")
    assert response.status_code == 400 and "window_start" in response.json(), response.json()


def test_renaming_a_layer_does_not_recheck_the_people_already_on_it(contract, pm, team, api_client_for,
                                                                       monkeypatch):
    from weibao.oncall import services as oncall_services

    api = api_client_for(pm)
    schedule_id = _schedule(api, contract).json()["id"]
    layer_id = api.post(f"/api/v1/oncall/schedules/{schedule_id}/layers/",
                        {**LAYER, "participants": [team[0].pk]}, format="json").json()["id"]
    refused = []

    def nobody_may(contract_id, user_ids, field):  # as if team[0]'s insurance had lapsed since
        refused.append(list(user_ids))
        raise oncall_services.ValidationError({field: "不能排入值班"})

    monkeypatch.setattr(oncall_services, "_check_people", nobody_may)
    assert api.patch(f"/api/v1/oncall/layers/{layer_id}/", {"name": "一线（夜）"}, format="json").status_code == 200
    assert refused == []
    changed = api.patch(f"/api/v1/oncall/layers/{layer_id}/", {"participants": [team[1].pk]}, format="json")
    assert changed.status_code == 400 and refused == [[team[1].pk]]
