"""An escalation step can page whoever is on call for a schedule at that moment, and a
staff member kept off work by the people app's rule is not on the roster."""

from __future__ import annotations

import pytest

from tests.oncall.conftest import at
from weibao.escalations import targets
from weibao.oncall.services import on_call_at
from weibao.people.models import StaffProfile

pytestmark = pytest.mark.django_db


def test_the_schedule_target_resolves_to_the_person_on_call(contract, schedule, team):
    assert targets.kind("schedule") is not None
    assert (str(schedule.pk), schedule.name) in targets.kind("schedule").choices(contract)
    night = at(2026, 11, 24, 22)  # a Tuesday night: layer "夜间"
    day = at(2026, 11, 24, 10)
    assert targets.resolve(contract, "schedule", str(schedule.pk), night) == [team["a"]]
    assert targets.resolve(contract, "schedule", str(schedule.pk), day) == [team["b"]]
    assert targets.resolve(contract, "schedule", "999999", day) == []


def test_another_contracts_schedule_is_nobody(contract, other_contract, schedule):
    assert targets.resolve(other_contract, "schedule", str(schedule.pk), at(2026, 11, 24, 10)) == []


def test_a_non_compliant_person_is_off_the_roster(contract, schedule, team):
    day = at(2026, 11, 24, 10)
    assert on_call_at(schedule, day) == [team["b"]]
    # Once the contract keeps a team register, someone with no insurance or agreement on
    # record (here: not even a profile) is kept off duty and the moment becomes a gap.
    StaffProfile.objects.create(contract=contract, user=team["a"], employer=contract.party_b)
    assert on_call_at(schedule, day) == []
