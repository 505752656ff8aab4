from __future__ import annotations

import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from weibao.incidents.models import Integration
from weibao.servicedesk.models import ServiceComponent

PAYLOADS = Path(__file__).parent / "payloads"


@pytest.fixture
def payload():
    def read(name: str) -> bytes:
        return (PAYLOADS / name).read_bytes()

    return read


@pytest.fixture
def components(contract):
    return {
        code: ServiceComponent.objects.get_or_create(contract=contract, code=code, defaults={"name": name})[0]
        for code, name in (("portal", "政务服务门户"), ("data", "数据库"), ("uia", "统一身份认证"))
    }


@pytest.fixture
def alertmanager(contract, components):
    return Integration.objects.create(contract=contract, kind="alertmanager", name="Prometheus")


@pytest.fixture
def post():
    """POST a raw body to an integration's secret URL, as the sender does (no login)."""

    def send(integration, body, kind: str | None = None):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
        return APIClient().post(
            f"/api/v1/integrations/{kind or integration.kind}/{integration.secret}/", data=data,
            content_type="application/json",
        )

    return send
