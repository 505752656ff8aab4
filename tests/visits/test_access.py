"""现场服务 services refuse by themselves: a task, a mail or a later app calling them with
a user who lacks the capability gets PermissionDenied, whatever page it came from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from weibao.contracts.models import Membership
from weibao.visits import services
from weibao.visits.models import Visit


@pytest.fixture
def visit(contract, pm, engineer, desk, clock):
    start = clock.now() + dt.timedelta(hours=2)
    return services.plan(contract, engineer=engineer, start=start, end=start + dt.timedelta(hours=2),
                         location="机房", purpose="巡检", by=pm)


def _done(visit, engineer):
    services.check_in(visit, by=engineer)
    return services.check_out(visit, by=engineer, work_done="巡检正常",
                              at=visit.planned_start + dt.timedelta(hours=1))


def test_a_bureau_liaison_cannot_plan_a_visit_through_the_service(contract, liaison, engineer, desk, clock):
    start = clock.now() + dt.timedelta(hours=2)
    with pytest.raises(PermissionDenied):
        services.plan(contract, engineer=engineer, start=start, end=start + dt.timedelta(hours=1),
                      location="机房", purpose="巡检", by=liaison)
    assert not Visit.objects.exists()


def test_a_bureau_liaison_cannot_cancel_a_visit(visit, liaison):
    with pytest.raises(PermissionDenied):
        services.cancel(visit, by=liaison)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED


def test_a_bureau_liaison_cannot_sign_a_visit_in(visit, liaison):
    with pytest.raises(PermissionDenied):
        services.check_in(visit, by=liaison, reason="代签")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED


def test_an_engineer_taken_off_the_contract_can_no_longer_sign_their_visit(visit, engineer):
    Membership.objects.filter(user=engineer).update(active=False)
    with pytest.raises(PermissionDenied):
        services.check_in(visit, by=engineer)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED and visit.arrived_at is None


def test_an_auditor_cannot_confirm_a_visit(visit, engineer, contract, make_member):
    _done(visit, engineer)
    auditor = make_member(contract, "auditor")
    with pytest.raises(PermissionDenied):
        services.confirm(visit, by=auditor, name="王五")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE


def test_a_bureau_viewer_confirms_as_the_bureau(visit, engineer, contract, make_member):
    _done(visit, engineer)
    viewer = make_member(contract, "bureau_viewer", display_name="局领导")
    services.confirm(visit, by=viewer)
    visit.refresh_from_db()
    assert (visit.confirmation_kind, visit.confirmed_by_name) == (Visit.ConfirmationKind.BUREAU, "局领导")


def test_the_system_itself_may_act_without_a_user(visit):
    assert services.cancel(visit, by=None).status == Visit.Status.CANCELLED
