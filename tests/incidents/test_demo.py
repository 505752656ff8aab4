import pytest

from weibao.demo import load_all
from weibao.incidents.models import (
    Drill,
    EmergencyPlan,
    Incident,
    Integration,
    LevelDefinition,
    Review,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_integration_plans_a_reviewed_incident_and_a_past_drill(demo_data):
    load_all()  # the second load, on the demo data: idempotent

    seed = Integration.objects.get(kind="alertmanager", contract__number="HTDZ202602135")
    assert Integration.objects.filter(contract=seed.contract).count() == 1
    assert LevelDefinition.objects.filter(contract=seed.contract).count() == 4
    assert EmergencyPlan.objects.filter(contract=seed.contract).count() == 3
    resolved = Incident.objects.get(contract=seed.contract, status="resolved")
    assert Review.objects.get(incident=resolved).follow_ups.count() == 2
    assert resolved.duties.exclude(reported_at=None).count() == 2
    assert Incident.objects.filter(contract=seed.contract, status="open", source="alert").count() == 1
    assert Drill.objects.filter(contract=seed.contract, status="done").get().participants.count() == 3


def test_the_demo_has_an_inspected_round_with_a_failed_item_ticket(demo_data):
    from weibao.incidents.models import Inspection

    inspection = Inspection.objects.get(contract__number="HTDZ202602135")
    failed = inspection.results.get(result="fail")
    assert failed.ticket is not None and "证书" in failed.ticket.subject
