"""The schema as tools nobody on the team wrote read it (issue 20 items 1 and 8): it passes
openapi-spec-validator, every value the server returns has a type, and a Python client
generated from it by openapi-python-client changes one field when it patches one field."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.test import Client
from openapi_spec_validator import validate

from weibao.api.models import ApiToken
from weibao.servicedesk.models import SlaClock, Ticket
from weibao.servicedesk.services import tickets
from weibao.servicedesk.services.defaults import install_defaults

pytestmark = pytest.mark.django_db

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_passes_openapi_spec_validator(schema):
    validate(schema)  # raises with the first problem


def test_rating_rectification_and_entry_changes_are_typed(schema):
    components = schema["components"]["schemas"]
    rectification = components["Rating"]["properties"]["rectification"]
    assert rectification["allOf"] == [{"$ref": "#/components/schemas/RectificationSummary"}]
    assert rectification["nullable"] is True
    summary = components["RectificationSummary"]
    assert set(summary["required"]) == {"id", "due_on", "status"}
    assert summary["properties"]["due_on"] == {"type": "string", "format": "date"}
    changes = components["Entry"]["properties"]["changes"]
    assert changes["type"] == "object"
    assert changes["additionalProperties"]["items"] == {"type": "string"}
    assert changes["additionalProperties"]["minItems"] == changes["additionalProperties"]["maxItems"] == 2


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_path_id_is_an_integer(schema):
    kinds = {json.dumps(p["schema"], sort_keys=True)
             for _, _, op in _operations(schema) for p in op.get("parameters", [])
             if p["in"] == "path" and p["name"] == "id"}
    assert kinds == {'{"minimum": 1, "type": "integer"}'}


def _query(schema, path, method, name):
    operation = schema["paths"][path][method]
    return next(p["schema"] for p in operation["parameters"] if p["in"] == "query" and p["name"] == name)


@pytest.mark.parametrize(("path", "name", "format"), [
    ("/api/v1/calendars/{id}/deadline/", "start", "date-time"),
    ("/api/v1/calendars/{id}/period/", "from", "date"),
    ("/api/v1/audit/reveals/", "date_from", "date"),
    ("/api/v1/audit/reveals/", "date_to", "date"),
    ("/api/v1/tickets/", "created_from", "date"),
    ("/api/v1/feedback/figures/", "start", "date"),
    ("/api/v1/monitors/{id}/availability/", "from", "date"),
])
def test_date_and_time_query_parameters_are_typed(schema, path, name, format):
    assert _query(schema, path, "get", name) == {"type": "string", "format": format}


def test_requester_email_validates_without_format_checks(schema):
    # oneOf(email, maxLength 0): "" matches both when formats are not checked, and fails.
    email = schema["components"]["schemas"]["TicketRequest"]["properties"]["requester_email"]
    assert "oneOf" not in email and len(email["anyOf"]) == 2
    assert "oneOf" not in json.dumps(schema["components"]["schemas"]["Ticket"])


def test_405_everywhere_and_415_where_a_body_is_read(schema):
    for path, method, operation in _operations(schema):
        assert "405" in operation["responses"], (method, path)
        assert ("415" in operation["responses"]) == ("requestBody" in operation), (method, path)


def test_a_patch_body_has_no_defaults_and_nothing_required(schema):
    patch = schema["components"]["schemas"]["PatchedTicketUpdateRequest"]
    assert "required" not in patch
    assert not [name for name, prop in patch["properties"].items() if "default" in prop]
    assert "channel" not in patch["properties"] and "contract" not in patch["properties"]


def test_415_and_405_are_what_the_server_answers(pm, contract, api_client_for):
    api = api_client_for(pm)
    assert api.post("/api/v1/tickets/", "a=b", content_type="text/csv").status_code == 415
    assert api.put("/api/v1/me/", {}, format="json").status_code == 405


# -- a client generated from the schema ----------------------------------------------------------


class DjangoTransport(httpx.BaseTransport):
    """httpx requests served by Django's test client: in this test's transaction."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length"}}
        answer = Client().generic(
            request.method, str(request.url.copy_with(scheme=None, host=None, port=None)).removeprefix("//"),
            data=request.read(), content_type=headers.pop("content-type", ""), headers=headers,
        )
        return httpx.Response(answer.status_code, headers=dict(answer.headers), content=answer.content)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The package openapi-python-client generates from the schema (offline; the first run
    of the module writes it)."""
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client is not installed (pip install -e '.[dev]')")
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    where = tmp_path_factory.mktemp("client")
    (where / "schema.json").write_bytes(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(where / "schema.json"), "--meta", "none",
         "--output-path", str(where / "weibao_api_client")],
        cwd=where, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout  # every operation and model generated
    sys.path.insert(0, str(where))
    yield importlib.import_module("weibao_api_client")
    sys.path.remove(str(where))
    for name in [m for m in sys.modules if m.startswith("weibao_api_client")]:
        del sys.modules[name]
    shutil.rmtree(where, ignore_errors=True)


def test_a_generated_clients_one_field_patch_changes_one_field(generated, contract, pm, clock):
    install_defaults(contract)
    ticket = tickets.create_ticket(
        contract, by=None, type="fault", priority="p1", channel="email", subject="统一身份认证登录超时",
        requester_name="张三", requester_email="zhangsan@shilong.gov.cn", description="登录后十秒即退出。",
    )
    before = Ticket.objects.get(pk=ticket.pk)
    due_before = sorted(SlaClock.objects.filter(ticket=ticket).values_list("target", "due_at"))
    _, raw = ApiToken.issue(pm)
    client = generated.AuthenticatedClient(base_url="http://testserver", token=raw,
                                           httpx_args={"transport": DjangoTransport()})
    partial_update = importlib.import_module("weibao_api_client.api.tickets.tickets_partial_update")
    models = importlib.import_module("weibao_api_client.models")

    body = models.PatchedTicketUpdateRequest(subject="统一身份认证登录超时（仅政务外网）")
    assert body.to_dict() == {"subject": "统一身份认证登录超时（仅政务外网）"}  # nothing else is sent
    response = partial_update.sync_detailed(id=ticket.pk, client=client, body=body)
    assert response.status_code == 200, response.content
    assert response.parsed.subject == "统一身份认证登录超时（仅政务外网）"

    after = Ticket.objects.get(pk=ticket.pk)
    assert after.subject == "统一身份认证登录超时（仅政务外网）"
    fields = [f.attname for f in Ticket._meta.concrete_fields if f.attname not in {"subject", "updated_at"}]
    assert {f: getattr(after, f) for f in fields} == {f: getattr(before, f) for f in fields}
    assert (after.priority, after.channel) == ("p1", "email")
    assert sorted(SlaClock.objects.filter(ticket=ticket).values_list("target", "due_at")) == due_before
