"""Model serializers work their fields out once per class (``weibao.api.serializers.
ModelSerializer``): each instance still gets fields of its own, and what the model gave
them (limits, labels, messages) is shown in each request's language, not the first one's."""

from __future__ import annotations

import pytest

from weibao.servicedesk.api import TicketSerializer

pytestmark = pytest.mark.django_db


def test_each_serializer_gets_its_own_fields():
    first, second = TicketSerializer(), TicketSerializer()
    assert set(first.fields) == set(second.fields) and "subject" in first.fields
    assert first.fields["subject"] is not second.fields["subject"]
    first.fields["subject"].read_only = True
    assert not TicketSerializer().fields["subject"].read_only


def test_a_models_limit_speaks_each_requests_language(contract, pm, desk, api_client_for):
    api = api_client_for(pm)
    body = {"contract": contract.pk, "type": "fault", "subject": "长" * 1000, "description": "x"}
    answers = {}
    for language in ("zh-hans", "en", "zh-hans"):
        response = api.post("/api/v1/tickets/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        answers.setdefault(language, set()).add(str(response.json()["subject"]))
    assert len(answers["zh-hans"]) == 1 and len(answers["en"]) == 1
    [zh], [en] = answers["zh-hans"], answers["en"]
    assert "Ensure this field has no more than" in en
    assert "Ensure" not in zh and zh != en
