"""Every request refused with 403 to a signed-in user, page or API, is in the trail once."""

from __future__ import annotations

import pytest

from weibao.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def _denied():
    return list(AuditRecord.objects.filter(action="request.denied").order_by("seq"))


def test_a_refused_page_is_audited_once(pm, client_for):
    assert client_for(pm).get("/audit/").status_code == 403  # a project manager is not an auditor
    [entry] = _denied()
    assert entry.actor == pm and entry.outcome == "denied"
    assert entry.object_repr == "GET /audit/"
    assert entry.detail == {"method": "GET", "path": "/audit/", "status": 403}


def test_a_refused_api_request_is_audited_with_its_token_user(make_member, api_client_for, contract):
    auditor = make_member(contract, "auditor")
    response = api_client_for(auditor).get("/api/v1/feedback/figures/", {"contract": contract.pk})
    assert response.status_code == 403  # satisfaction figures are not the auditor's
    [entry] = _denied()
    assert entry.actor == auditor and entry.object_repr == "GET /api/v1/feedback/figures/"


def test_a_refused_csrf_check_of_a_signed_in_user_is_audited(pm):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(pm)
    assert client.post("/accounts/logout/").status_code == 403
    assert [entry.actor for entry in _denied()] == [pm]


def test_anonymous_refusals_and_allowed_requests_are_not(client, pm, client_for):
    client.post("/accounts/logout/", HTTP_X_CSRFTOKEN="bad")  # nobody signed in
    assert client_for(pm).get("/tickets/").status_code == 200
    assert _denied() == []
