"""A request body that is not a JSON object is refused by name, never a 500 (the fuzzing
found PATCH /api/v1/tickets/{id}/ with the body ``null`` answering 500)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("body", ["null", "[]", "5", '"text"'])
def test_a_body_that_is_not_an_object_is_a_400_naming_the_problem(body, pm, contract, api_client_for):
    from weibao.servicedesk.services.defaults import install_defaults
    from weibao.servicedesk.services.tickets import create_ticket

    install_defaults(contract)
    ticket = create_ticket(contract, by=pm, type="fault", priority="p3", channel="phone",
                           requester_name="张三", subject="登录超时")
    api = api_client_for(pm)
    for method, url in (("patch", f"/api/v1/tickets/{ticket.pk}/"), ("post", "/api/v1/tickets/"),
                        ("post", "/api/v1/knowledge/articles/")):
        response = getattr(api, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code)
        assert "JSON" in response.json()["detail"]
