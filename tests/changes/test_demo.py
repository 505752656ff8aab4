"""The demo's governance data: loads twice without duplicates and shows each state."""

from __future__ import annotations

import pytest

from weibao.changes import services
from weibao.changes.models import ChangeRequest, DataAccessRequest
from weibao.contracts.models import Contract
from weibao.core import clock
from weibao.demo import load_all
from weibao.people import compliance, training
from weibao.people.models import StaffProfile, TrainingSession

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_and_shows_every_state(demo_data):
    load_all()  # the second load, on the demo data: nothing more
    seed = Contract.objects.get(number="HTDZ202602135")
    changes = ChangeRequest.objects.filter(contract=seed)
    assert changes.count() == 4
    assert {c.status for c in changes} == {"requested", "closed", "implementing", "approved"}
    assert any(services.awaiting_retro_approval(c) for c in changes)
    assert DataAccessRequest.objects.filter(contract=seed, status="approved").count() == 1
    profiles = StaffProfile.objects.filter(contract=seed)
    assert profiles.count() == 5
    standings = compliance.standings(seed, [p.user for p in profiles])
    assert all(s.compliant for s in standings)
    assert [s.user.username for s in standings if s.expiring] == ["agent"]
    assert TrainingSession.objects.filter(contract=seed, status="held").count() == 1
    figures = training.figures(seed, clock.local_now().year)  # the demo's year, as it was built
    assert figures.held == 1 and figures.plan_agreed and figures.satisfaction is not None


def test_the_home_pages_show_the_governance_panels(demo_data, client_for):
    from weibao.accounts.models import User

    liaison = client_for(User.objects.get(username="liaison")).get("/").content.decode()
    assert "紧急变更待补批" in liaison and "待审批变更" in liaison
    pm = client_for(User.objects.get(username="pm")).get("/").content.decode()
    assert "项目团队合规" in pm and "意外伤害保险将于" in pm
