from __future__ import annotations

import pytest

from weibao.servicedesk.services.defaults import install_defaults


@pytest.fixture
def desk(contract):
    """The seed contract with default calendars, catalogue, groups and SLA policies."""
    return install_defaults(contract)


@pytest.fixture
def engineer(contract, make_member):
    return make_member(contract, "resident_engineer", username="engineer")


@pytest.fixture
def liaison(contract, make_member):
    return make_member(contract, "bureau_liaison", username="liaison")


@pytest.fixture
def api(pm, api_client_for):
    return api_client_for(pm)


@pytest.fixture
def new_ticket(api, contract, desk, clock):
    def create(**overrides):
        payload = {
            "contract": contract.pk,
            "type": "fault",
            "priority": "p1",
            "subject": "统一身份认证登录失败",
            "description": "法人用户无法登录，提示证书错误",
            "channel": "phone",
            "requester_name": "张三",
            "requester_phone": "13812345678",
        }
        payload.update(overrides)
        response = api.post("/api/v1/tickets/", payload, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return create
