"""Proactive inspection on the visits app's planned rounds (issue 15 item 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from weibao.incidents import inspections
from weibao.incidents.models import InspectionTemplate
from weibao.visits import services as visits

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(contract, pm, engineer, clock):
    return visits.plan(
        contract, engineer=engineer, start=clock.now(), end=clock.now() + dt.timedelta(hours=1),
        location="机房", purpose="每日巡检", by=pm,
    )


@pytest.fixture
def daily(contract):
    inspections.install_defaults(contract)
    return InspectionTemplate.objects.get(contract=contract, cadence="daily")


def test_a_failed_item_opens_a_ticket_once(round_, daily, pm, engineer, clock):
    inspection = inspections.attach(round_, daily, by=pm)
    assert inspections.attach(round_, daily, by=pm) == inspection
    items = list(inspection.results.all())
    assert [i.text for i in items] == daily.item_lines()

    inspections.record(items[0], by=engineer, result="pass")
    with pytest.raises(ValidationError) as refused:
        inspections.record(items[1], by=engineer, result="fail")
    assert "note" in refused.value.message_dict
    inspections.record(items[1], by=engineer, result="fail", note="法人登录报错")
    ticket = items[1].ticket
    assert ticket.subject.startswith("巡检发现：") and ticket.contract == round_.contract and ticket.type == "fault"
    inspections.record(items[1], by=engineer, result="fail", note="仍报错")
    items[1].refresh_from_db()
    assert items[1].ticket == ticket


def test_only_the_rounds_team_records_and_a_dispatched_visit_takes_no_checklist(contract, round_, daily, pm, make_member, clock):
    liaison = make_member(contract, "bureau_liaison", username="liaison")
    inspection = inspections.attach(round_, daily, by=pm)
    with pytest.raises(PermissionDenied):
        inspections.record(inspection.results.first(), by=liaison, result="pass")
    with pytest.raises(PermissionDenied):
        inspections.attach(round_, daily, by=liaison)
    visits.cancel(round_, by=pm)
    round_.refresh_from_db()
    with pytest.raises(ValidationError):
        inspections.attach(round_, InspectionTemplate.objects.get(contract=contract, cadence="weekly"), by=pm)


def test_the_pages(contract, round_, daily, pm, engineer, outsider, client_for, clock):
    client = client_for(pm)
    assert "每日平台巡检" in client.get("/incidents/inspections/").content.decode()
    answer = client.post("/incidents/inspections/attach/", {"visit": round_.pk, "template": daily.pk})
    assert answer.status_code == 302
    inspection = round_.contract and daily.inspections.get()
    item = inspection.results.first()
    client_for(engineer).post(f"/incidents/inspections/items/{item.pk}/", {"result": "fail", "note": "门户打不开"})
    item.refresh_from_db()
    assert item.result == "fail" and item.ticket is not None
    assert item.ticket.number in client.get(f"/incidents/inspections/{inspection.pk}/").content.decode()

    other = client_for(outsider)
    assert other.get(f"/incidents/inspections/{inspection.pk}/").status_code == 404
    assert other.post(f"/incidents/inspections/items/{item.pk}/", {"result": "pass"}).status_code == 404
    assert client.post("/incidents/inspections/attach/", {"visit": "٣", "template": daily.pk}).status_code == 400
