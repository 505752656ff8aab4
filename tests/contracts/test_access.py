"""contracts.access.contract_for: the one "the chosen contract, if you may" every app's
pages call."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from weibao.contracts.access import contract_for
from weibao.contracts.roles import Capability


def test_the_chosen_contract_is_answered_to_a_member_holding_the_capability(contract, pm):
    assert contract_for(pm, contract, Capability.MANAGE_ONCALL) == contract


def test_no_chosen_contract_asks_for_one(pm):
    with pytest.raises(PermissionDenied, match="请先在页头选择合同"):
        contract_for(pm, None, Capability.VIEW_TICKETS)


def test_a_member_of_another_contract_or_without_the_capability_is_refused(contract, outsider, make_member):
    with pytest.raises(PermissionDenied):
        contract_for(outsider, contract, Capability.VIEW_TICKETS)
    viewer = make_member(contract, "bureau_viewer", username="viewer")
    with pytest.raises(PermissionDenied, match="只读"):
        contract_for(viewer, contract, Capability.MANAGE_ONCALL, "只读角色不能修改值班。")
