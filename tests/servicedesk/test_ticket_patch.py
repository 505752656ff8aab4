"""A partial update changes what it names and nothing else, also through a client generated
from the schema: such a client sends every default the schema declares (issue 20, item 1:
a subject edit turned a P1 e-mail ticket into P3 via "api" and moved its SLA due times)."""

from __future__ import annotations

import pytest

from weibao.servicedesk.models import Ticket


@pytest.fixture
def schema(api):
    return api.get("/api/v1/schema/", {"format": "json"}).json()


def _patch_body(schema, **changes) -> dict:
    """The body a generated client sends for ``changes``: each property of the PATCH
    request schema it is not given takes the schema's default, when it has one."""
    operation = schema["paths"]["/api/v1/tickets/{id}/"]["patch"]
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    properties = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]["properties"]
    defaults = {name: spec["default"] for name, spec in properties.items() if "default" in spec}
    return defaults | changes


def test_no_partial_update_request_in_the_schema_declares_a_default(schema):
    patched = {name: body for name, body in schema["components"]["schemas"].items() if name.startswith("Patched")}
    assert patched  # the PATCH bodies are there to check
    defaults = {
        f"{name}.{prop}": spec["default"]
        for name, body in patched.items()
        for prop, spec in body.get("properties", {}).items()
        if "default" in spec
    }
    assert defaults == {}


def test_a_one_field_patch_from_a_generated_client_changes_one_field(api, new_ticket, schema):
    created = new_ticket(priority="p1", channel="email")
    before = Ticket.objects.get(pk=created["id"])
    due_before = sorted((c.target, c.due_at) for c in before.clocks.all())

    response = api.patch(f"/api/v1/tickets/{created['id']}/", _patch_body(schema, subject="新主题"), format="json")
    assert response.status_code == 200, response.json()

    after = Ticket.objects.get(pk=created["id"])
    assert after.subject == "新主题"
    assert (after.priority, after.channel, after.type) == ("p1", "email", before.type)
    assert sorted((c.target, c.due_at) for c in after.clocks.all()) == due_before
    assert response.json()["priority"] == "p1" and response.json()["channel"] == "email"


def test_the_intake_channel_is_not_editable_after_creation(api, new_ticket, schema):
    created = new_ticket(channel="email")
    response = api.patch(f"/api/v1/tickets/{created['id']}/", {"channel": "phone"}, format="json")
    assert response.status_code == 400
    assert "channel" in response.json()
    assert Ticket.objects.get(pk=created["id"]).channel == "email"
    # The PATCH body's schema does not offer it.
    patch = schema["paths"]["/api/v1/tickets/{id}/"]["patch"]
    reference = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "channel" not in schema["components"]["schemas"][reference.rsplit("/", 1)[1]]["properties"]


def test_a_patch_still_changes_the_priority_when_asked(api, new_ticket):
    created = new_ticket(priority="p1")
    response = api.patch(f"/api/v1/tickets/{created['id']}/", {"priority": "p3"}, format="json")
    assert response.status_code == 200
    assert Ticket.objects.get(pk=created["id"]).priority == "p3"


def test_a_new_ticket_without_priority_or_channel_gets_p3_by_api(api, contract, desk):
    response = api.post(
        "/api/v1/tickets/",
        {"contract": contract.pk, "type": "fault", "subject": "无优先级", "description": "…", "requester_name": "李四"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["priority"], response.json()["channel"]) == ("p3", "api")
