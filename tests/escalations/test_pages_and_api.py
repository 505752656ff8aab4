"""The escalation pages and API: who sees, acknowledges and configures, per contract."""

from __future__ import annotations

import pytest

from weibao.escalations.models import Escalation, EscalationPolicy
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(contract, policy, oncall, ticket, fire):
    t = ticket("p1")
    fire("sla.warning", contract=contract, obj=t, payload={"ticket": t.pk, "priority": t.priority})
    return Escalation.objects.get()


def test_acknowledge_through_the_api(run, oncall, api_client_for):
    response = api_client_for(oncall).post(f"/api/v1/escalations/{run.pk}/acknowledge/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "acknowledged" and body["acknowledged_by"] == "值班甲"
    assert [e["kind"] for e in body["timeline"]] == ["started", "notified", "acknowledged"]
    assert body["timeline"][1]["step"] == 1 and body["timeline"][1]["recipients"] == "值班甲"


def test_bureau_viewer_reads_but_may_not_acknowledge(run, viewer, api_client_for):
    api = api_client_for(viewer)
    assert api.get(f"/api/v1/escalations/{run.pk}/").status_code == 200
    assert api.post(f"/api/v1/escalations/{run.pk}/acknowledge/").status_code == 403
    run.refresh_from_db()
    assert run.status == "running"


def test_another_contract_never_sees_the_run(run, outsider, api_client_for, client_for):
    api = api_client_for(outsider)
    assert api.get(f"/api/v1/escalations/{run.pk}/").status_code == 404
    assert api.post(f"/api/v1/escalations/{run.pk}/acknowledge/").status_code in (403, 404)
    listed = api.get("/api/v1/escalations/").json()
    assert listed["results"] == [] if "results" in listed else listed == []
    assert_isolated(client_for(outsider), f"/escalations/{run.pk}/", secrets=[run.subject])


def test_list_filters_by_status_and_refuses_odd_values(run, pm, api_client_for):
    api = api_client_for(pm)
    assert len(api.get("/api/v1/escalations/?status=running").json()["results"]) == 1
    assert api.get("/api/v1/escalations/?status=acknowledged").json()["results"] == []
    bad = api.get("/api/v1/escalations/?status=nope")
    assert bad.status_code == 400 and "status" in bad.json()
    assert api.get("/api/v1/escalations/?contract=abc").status_code == 400


def test_run_page_shows_the_timeline_and_acknowledges(run, oncall, client_for):
    client = client_for(oncall)
    page = client.get(f"/escalations/{run.pk}/")
    assert page.status_code == 200 and "已通知" in page.content.decode()
    assert client.post(f"/escalations/{run.pk}/acknowledge/").status_code == 302
    run.refresh_from_db()
    assert run.status == "acknowledged"


def test_ticket_page_shows_its_escalation(run, pm, client_for):
    page = client_for(pm).get(f"/tickets/{run.object_id}/")
    assert page.status_code == 200
    assert 'id="escalation-panel"' in page.content.decode()


def test_pm_builds_a_policy_from_the_page(contract, pm, oncall, client_for):
    client = client_for(pm)
    response = client.post("/escalations/policies/", {"name": "夜间升级", "repeat": "2"})
    policy = EscalationPolicy.objects.get(name="夜间升级")
    assert response.status_code == 302
    url = f"/escalations/policies/{policy.pk}/"
    client.post(url, {"action": "add_step", "target_kind": "user", "target_ref_user": str(oncall.pk),
                      "urgency": "critical", "wait_minutes": "3"})
    client.post(url, {"action": "add_step", "target_kind": "role", "target_ref_role": "project_manager",
                      "urgency": "critical", "wait_minutes": "5"})
    client.post(url, {"action": "add_trigger", "event_type": "sla.breached", "only_for": "p1，p2"})
    policy.refresh_from_db()
    assert [(s.position, s.target_kind) for s in policy.steps.all()] == [(0, "user"), (1, "role")]
    assert policy.triggers.get().only_for == "P1,P2"
    client.post(url, {"action": "remove_step", "position": "0"})
    assert [(s.position, s.target_kind) for s in policy.steps.all()] == [(0, "role")]


def test_policy_form_names_the_wrong_field(contract, pm, client_for):
    client = client_for(pm)
    client.post("/escalations/policies/", {"name": "A", "repeat": "1"})
    policy = EscalationPolicy.objects.get(name="A")
    url = f"/escalations/policies/{policy.pk}/"
    page = client.post(url, {"action": "add_trigger", "event_type": "sla.breached", "only_for": "P9"},
                       follow=True)
    assert "P1–P4" in page.content.decode()
    assert client.post(url, {"action": "add_step", "target_kind": "user", "target_ref_user": "999999",
                             "urgency": "high", "wait_minutes": "5"}, follow=True).status_code == 200
    assert not policy.steps.exists()
    assert client.post("/escalations/policies/", {"name": "B", "repeat": "x"}).status_code == 400


def test_only_the_pm_configures(contract, oncall, pm, client_for, outsider):
    assert client_for(oncall).get("/escalations/policies/").status_code == 403
    policy = EscalationPolicy.objects.create(contract=contract, name="P")
    assert client_for(oncall).get(f"/escalations/policies/{policy.pk}/").status_code == 403
    assert client_for(outsider).get(f"/escalations/policies/{policy.pk}/").status_code == 404
