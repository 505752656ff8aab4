"""代班/换班 requests through the API (/api/v1/oncall/overrides/): the page's parser, loaders
and services — an engineer asks for themself, the PM decides once, a PM's own request is
approved at once; bad bodies a 400 naming the field; people and schedules of another
contract are refused without being named; roles and tenancy as on the page."""

from __future__ import annotations

import datetime as dt

import pytest

from weibao.oncall import services
from weibao.oncall.models import Override

pytestmark = pytest.mark.django_db


@pytest.fixture
def rota(contract, pm, make_member, clock):
    team = [make_member(contract, "resident_engineer", username=f"eng{i}") for i in range(2)]
    schedule = services.save_schedule(contract, name="7×24 值班", by=pm)
    services.save_layer(schedule, by=pm, name="一线", rotation="daily",
                        starts_at=dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC), participants=[u.pk for u in team])
    return schedule, team


def _body(contract, schedule, user, **extra):
    return {"contract": contract.pk, "schedule": schedule.pk, "user": user.pk, "start": "2026-11-25T09:00",
            "end": "2026-11-25T18:00", **extra}


def test_an_engineer_asks_the_pm_decides_once(contract, pm, rota, api_client_for):
    schedule, (first, second) = rota
    engineer = api_client_for(first)
    made = engineer.post("/api/v1/oncall/overrides/", _body(contract, schedule, first, reason="替同事值班"), format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["status"], body["kind"], body["start"], body["requested_by"]) == (
        "requested", "override", "2026-11-25T09:00", first.pk)
    manager = api_client_for(pm)
    assert [o["id"] for o in manager.get("/api/v1/oncall/overrides/", {"contract": contract.pk}).json()["results"]] == [
        body["id"]]
    assert api_client_for(second).get("/api/v1/oncall/overrides/", {"contract": contract.pk}).json()["results"] == []
    assert engineer.post(f"/api/v1/oncall/overrides/{body['id']}/decide/", {"decision": "approve"},
                         format="json").status_code == 403
    decided = manager.post(f"/api/v1/oncall/overrides/{body['id']}/decide/", {"decision": "approve"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    again = manager.post(f"/api/v1/oncall/overrides/{body['id']}/decide/", {"decision": "reject"}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    assert Override.objects.get().status == Override.Status.APPROVED


def test_a_pms_own_request_is_approved_at_once_and_an_engineer_only_asks_for_themself(
        contract, pm, rota, api_client_for):
    schedule, (first, second) = rota
    made = api_client_for(pm).post("/api/v1/oncall/overrides/", _body(contract, schedule, second), format="json")
    assert made.status_code == 201 and made.json()["status"] == "approved"
    refused = api_client_for(first).post("/api/v1/oncall/overrides/", _body(contract, schedule, second), format="json")
    assert refused.status_code == 403
    assert Override.objects.count() == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"schedule": None}, "schedule"), ({"user": None}, "user"), ({"start": None}, "start"), ({"end": None}, "end"),
    ({"start": "明天"}, "start"), ({"end": "2026-11-25T08:00"}, "end"), ({"kind": "holiday"}, "kind"),
    ({"kind": "swap"}, "replaces"), ({"user": "²"}, "user"), ({"user": True}, "user"), ({"user": [1]}, "user"),
    ({"schedule": 999999}, "schedule"), ({"user": 999999}, "user"), ({"reason": "长" * 301}, "reason"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_request_is_a_400_naming_its_field(contract, pm, rota, api_client_for, change, field):
    schedule, (first, _second) = rota
    body = {k: v for k, v in {**_body(contract, schedule, first), **change}.items() if v is not None}
    response = api_client_for(first).post("/api/v1/oncall/overrides/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Override.objects.exists()


def test_another_contracts_people_and_schedules_are_refused_unnamed(contract, other_contract, pm, outsider, rota,
                                                                    make_member, api_client_for):
    schedule, (first, _second) = rota
    foreign_engineer = make_member(other_contract, "resident_engineer", username="foreign-eng")
    foreign_schedule = services.save_schedule(other_contract, name="别家的值班表", by=outsider)
    api = api_client_for(pm)
    for change, field in (({"user": foreign_engineer.pk}, "user"), ({"schedule": foreign_schedule.pk}, "schedule")):
        response = api.post("/api/v1/oncall/overrides/", {**_body(contract, schedule, first), **change}, format="json")
        text = response.content.decode()
        assert response.status_code == 400 and field in response.json()
        assert "foreign-eng" not in text and "别家的值班表" not in text
    made = api.post("/api/v1/oncall/overrides/", _body(contract, schedule, first), format="json").json()
    foreign = api_client_for(outsider)
    assert foreign.post("/api/v1/oncall/overrides/", _body(contract, schedule, first), format="json").status_code == 404
    assert foreign.get("/api/v1/oncall/overrides/", {"contract": contract.pk}).status_code == 404
    decided = foreign.post(f"/api/v1/oncall/overrides/{made['id']}/decide/", {"decision": "reject"}, format="json")
    assert decided.status_code == 404 and "7×24" not in decided.content.decode()
    assert Override.objects.get().status == Override.Status.APPROVED  # the PM's own, untouched


@pytest.mark.parametrize("body", [{}, {"decision": "yes"}, {"decision": True}, {"decision": "approve", "x": 1}])
def test_a_bad_decision_is_a_400(contract, pm, rota, api_client_for, body):
    schedule, (first, _second) = rota
    made = api_client_for(first).post("/api/v1/oncall/overrides/", _body(contract, schedule, first), format="json")
    response = api_client_for(pm).post(f"/api/v1/oncall/overrides/{made.json()['id']}/decide/", body, format="json")
    assert response.status_code == 400
    assert Override.objects.get().status == Override.Status.REQUESTED
