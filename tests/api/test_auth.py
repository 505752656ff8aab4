import pytest
from rest_framework.test import APIClient

from weibao.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_token_for_valid_credentials_and_bearer_use(contract, pm):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "pm", "password": "Weibao@2026"}, format="json")
    assert response.status_code == 201
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/contracts/").status_code == 200
    assert AuditRecord.objects.filter(action="api_token.created", actor=pm).exists()
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get("/api/v1/contracts/").status_code == 401


def test_wrong_password_is_generic_and_unknown_fields_are_named(pm):
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": "pm", "password": "nope"}, format="json")
    nobody = client.post("/api/v1/auth/token/", {"username": "ghost", "password": "nope"}, format="json")
    assert wrong.status_code == nobody.status_code == 400
    assert wrong.json() == nobody.json()
    extra = client.post(
        "/api/v1/auth/token/", {"username": "pm", "password": "x", "colour": "red"}, format="json"
    )
    assert extra.status_code == 400
    assert "colour" in extra.json()


def test_errors_follow_accept_language(pm):
    client = APIClient()
    zh = client.post("/api/v1/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.post("/api/v1/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 400
    assert "username" in zh.json() and "username" in en.json()
    assert zh.json()["username"] != en.json()["username"]


def test_schema_and_docs_are_served():
    client = APIClient()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content
