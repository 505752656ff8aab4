"""Each caller-history lookup of a number is audited (masked), found or not."""

from __future__ import annotations

import pytest

from weibao.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_caller_history_lookups_are_audited_masked(agent, client_for, desk, contract):
    screen = client_for(agent)
    screen.post("/hotline/", {"phone": "139-1234-5678", "question": "电子证照亮证失败", "outcome": "follow_up"})
    screen.get("/hotline/caller/", {"phone": "139 1234 5678"})
    screen.get("/hotline/caller/", {"phone": "13800000000"})
    screen.get("/hotline/caller/", {"phone": "139"})  # too short to look anyone up
    lookups = AuditRecord.objects.filter(action="hotline.caller_history").order_by("seq")
    assert [(r.detail["phone"], r.detail["found"]) for r in lookups] == [("139****5678", 1), ("138****0000", 0)]
    assert all(r.actor == agent and r.contract_id == contract.pk for r in lookups)
