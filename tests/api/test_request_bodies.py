"""A request body that is not a JSON object is refused by name, never a 500 (the fuzzing
found PATCH /api/v1/tickets/{id}/ with the body ``null`` answering 500)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("body", ["null", "[]", "5", '"text"'])
def test_a_body_that_is_not_an_object_is_a_400_naming_the_problem(body, pm, contract, api_client_for):
    from weibao.servicedesk.services import tickets
    from weibao.servicedesk.services.defaults import install_defaults

    install_defaults(contract)
    ticket = tickets.create_ticket(contract, by=pm, type="fault", priority="p3", channel="phone",
                           requester_name="张三", subject="登录超时")
    api = api_client_for(pm)
    for method, url in (("patch", f"/api/v1/tickets/{ticket.pk}/"), ("post", "/api/v1/tickets/"),
                        ("post", "/api/v1/knowledge/articles/")):
        response = getattr(api, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code)
        assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/feedback/figures/?start=2026-11-01&end=2026-11-30",
                                 "/api/v1/knowledge/search/?q=密码", "/api/v1/tickets/?"])
@pytest.mark.parametrize("value", ["²", "1.5", "abc"])
def test_a_contract_parameter_that_is_not_an_id_is_a_400_naming_it(url, value, pm, contract, api_client_for):
    response = api_client_for(pm).get(f"{url}&contract={value}")
    assert response.status_code == 400, (url, value, response.status_code)
    assert "contract" in response.json()
