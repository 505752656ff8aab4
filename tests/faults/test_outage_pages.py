"""In-process counterpart of the PostgreSQL restart test, so the SQLite run checks it too:
a logged-in person's page while the database is unreachable is the 503 page, even though
the session, the user and the navigation's contracts cannot be read."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("path", ["/", "/contracts/"])
def test_a_logged_in_page_during_a_database_outage_is_the_503_page(pm, client_for, path):
    web = client_for(pm)
    assert web.get(path).status_code == 200
    web.raise_request_exception = False
    down = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    with mock.patch.object(connection, "cursor", side_effect=down):
        response = web.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "数据库暂时不可用" in body and "<html" in body  # the site's page, not a bare error


def test_the_api_during_a_database_outage_is_a_json_503(pm, api_client_for):
    api = api_client_for(pm)
    api.raise_request_exception = False
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = api.get("/api/v1/tickets/")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
