"""``/api/v1/incidents/`` and ``/api/v1/integrations/``: the acceptance interface, its
filters' 400s, and isolation between contracts."""

from __future__ import annotations

import pytest

from weibao.audit.models import AuditRecord
from weibao.incidents import services
from weibao.incidents.models import Integration

pytestmark = pytest.mark.django_db


@pytest.fixture
def oncall(contract, make_member):
    return make_member(contract, "oncall_engineer", username="oncall1")


def test_the_list_gives_level_status_alert_count_and_times(alertmanager, post, payload, pm, api_client_for, contract, clock):
    post(alertmanager, payload("am_firing.json"))
    services.open_incident(contract, by=pm, title="人工登记", level="II")

    body = api_client_for(pm).get(f"/api/v1/incidents/?contract={contract.pk}&status=open").json()

    assert body["count"] == 2
    row = next(r for r in body["results"] if r["alerts_count"])
    assert row["level"] == "IV" and row["status"] == "open" and row["alerts_count"] == 2
    assert row["opened_at"].startswith("2026-11-24T") and row["acknowledged_at"] is None and row["resolved_at"] is None


def test_the_status_filter_and_bad_parameters(contract, pm, api_client_for, clock):
    incident = services.open_incident(contract, by=pm, title="A")
    services.acknowledge(incident, by=pm)
    client = api_client_for(pm)

    assert client.get("/api/v1/incidents/?status=acknowledged").json()["count"] == 1
    assert client.get("/api/v1/incidents/?status=resolved").json()["count"] == 0
    bad = client.get("/api/v1/incidents/?status=closed")
    assert bad.status_code == 400 and "status" in bad.json()
    assert client.get("/api/v1/incidents/?contract=２").status_code == 400
    assert client.get("/api/v1/incidents/?stauts=open").status_code == 400


def test_another_contracts_incidents_are_invisible(contract, pm, outsider, other_contract, api_client_for, clock):
    incident = services.open_incident(contract, by=pm, title="本合同事件")
    client = api_client_for(outsider)

    assert client.get("/api/v1/incidents/").json()["count"] == 0
    assert client.get(f"/api/v1/incidents/?contract={contract.pk}").json()["count"] == 0
    assert client.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    assert client.post(f"/api/v1/incidents/{incident.pk}/acknowledge/").status_code == 404


def test_acknowledge_and_resolve_actions(contract, pm, oncall, viewer, api_client_for, clock):
    incident = services.open_incident(contract, by=pm, title="A")

    assert api_client_for(viewer).post(f"/api/v1/incidents/{incident.pk}/acknowledge/").status_code == 403
    acked = api_client_for(oncall).post(f"/api/v1/incidents/{incident.pk}/acknowledge/")
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    again = api_client_for(oncall).post(f"/api/v1/incidents/{incident.pk}/acknowledge/")
    assert again.status_code == 400 and "status" in again.json()
    done = api_client_for(oncall).post(f"/api/v1/incidents/{incident.pk}/resolve/", {"note": "已恢复"}, format="json")
    assert done.status_code == 200 and done.json()["resolved_at"]


def test_integrations_list_with_kind_and_full_secret_url_for_managers_only(alertmanager, contract, pm, oncall, outsider, api_client_for, clock):
    Integration.objects.create(contract=outsider.memberships.get().contract, kind="generic", name="别人的")

    body = api_client_for(pm).get(f"/api/v1/integrations/?contract={contract.pk}").json()

    assert [(r["kind"], r["url"]) for r in body["results"]] == [
        ("alertmanager", f"http://testserver/api/v1/integrations/alertmanager/{alertmanager.secret}/")
    ]
    assert AuditRecord.objects.filter(action="incident.integration.read").exists()
    assert api_client_for(oncall).get(f"/api/v1/integrations/?contract={contract.pk}").status_code == 403
    assert api_client_for(outsider).get(f"/api/v1/integrations/?contract={contract.pk}").json()["count"] == 0


def test_rotating_a_secret_through_the_api(alertmanager, pm, outsider, api_client_for, clock):
    old = alertmanager.secret
    assert api_client_for(outsider).post(f"/api/v1/integrations/{alertmanager.pk}/rotate/").status_code == 404
    answer = api_client_for(pm).post(f"/api/v1/integrations/{alertmanager.pk}/rotate/")
    assert answer.status_code == 200
    alertmanager.refresh_from_db()
    assert alertmanager.secret != old and alertmanager.secret in answer.json()["url"]
