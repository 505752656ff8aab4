"""The monitoring forms refuse a 10,000-character value naming the field."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.long_values import LONG, assert_refused
from weibao.contracts.models import Contract
from weibao.servicedesk.models import ServiceComponent


@pytest.fixture
def seed(demo_data, db):
    contract = Contract.objects.get(number="HTDZ202602135")
    return {"pm": get_user_model().objects.get(username="pm"),
            "component": ServiceComponent.objects.filter(contract=contract, active=True).first()}


@pytest.mark.parametrize("field", ["name", "target", "config"])
def test_the_monitor_form_refuses_an_over_long_value(seed, client_for, field):
    data = {"name": "门户", "kind": "http", "target": "https://example.cn/", "config": "{}", "interval_seconds": "60",
            "timeout_seconds": "10", "failures_to_down": "2", "successes_to_up": "2", "grace_seconds": "300",
            "component": seed["component"].pk}
    assert_refused(client_for(seed["pm"]).post("/monitoring/new/", {**data, field: LONG}), field)


def test_the_maintenance_form_refuses_an_over_long_reason(seed, client_for):
    data = {"components": [seed["component"].pk], "start": "2026-12-20T01:00", "end": "2026-12-20T03:00",
            "reason": LONG}
    assert_refused(client_for(seed["pm"]).post("/monitoring/maintenance/new/", data), "reason")


@pytest.mark.parametrize("field", ["title", "slug"])
def test_the_status_page_settings_refuse_an_over_long_value(seed, client_for, field):
    data = {"title": "服务状态", "slug": "shilong-status", field: LONG}
    assert_refused(client_for(seed["pm"]).post("/monitoring/status/settings/", data), field)
