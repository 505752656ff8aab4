"""Model serializers work their fields out once per class (``weibao.api.serializers.
ModelSerializer``): the model is introspected for the first instance only; each instance
still gets fields of its own; what the model gave them (limits, messages) is shown in each
request's language, not the first one's; a class with a uniqueness check is not cached."""

from __future__ import annotations

import pytest
from rest_framework import serializers as drf

from weibao.api.serializers import ModelSerializer
from weibao.servicedesk.api import TicketSerializer

pytestmark = pytest.mark.django_db


def test_the_model_is_read_once_and_each_serializer_gets_its_own_fields(monkeypatch):
    TicketSerializer().fields  # noqa: B018 - built (maybe already by an earlier test)
    built = []
    original = drf.ModelSerializer.build_field
    monkeypatch.setattr(drf.ModelSerializer, "build_field",
                        lambda self, *a, **k: built.append(a[0]) or original(self, *a, **k))
    first, second = TicketSerializer(), TicketSerializer()
    assert set(first.fields) == set(second.fields) and "subject" in first.fields
    assert built == []  # no model field looked at again
    assert first.fields["subject"] is not second.fields["subject"]
    first.fields["subject"].read_only = True
    assert not TicketSerializer().fields["subject"].read_only


def test_a_class_with_a_uniqueness_check_is_built_each_time():
    from weibao.contracts.models import Contract

    class NumberSerializer(ModelSerializer):
        class Meta:
            model = Contract
            fields = ["number"]

    NumberSerializer().fields  # noqa: B018
    assert "_fields_built_once" not in NumberSerializer.__dict__


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
