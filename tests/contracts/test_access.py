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


def test_a_unit_of_work_reads_memberships_once_and_sees_a_change_it_is_told_of(
        contract, pm, django_assert_num_queries):
    from weibao.contracts.access import can, forget_memberships
    from weibao.contracts.models import Membership
    from weibao.core import request_context

    with django_assert_num_queries(2):  # outside one: every check reads them
        can(pm, contract.pk, Capability.WORK_TICKETS)
        can(pm, contract.pk, Capability.WORK_TICKETS)
    with request_context.unit_of_work():
        with django_assert_num_queries(1):
            assert can(pm, contract.pk, Capability.WORK_TICKETS)
            assert can(pm, contract.pk, Capability.MANAGE_ONCALL)
        Membership.objects.filter(user=pm, contract=contract).update(active=False)
        assert can(pm, contract.pk, Capability.WORK_TICKETS)  # kept: the block was not told
        forget_memberships(pm)
        assert not can(pm, contract.pk, Capability.WORK_TICKETS)
    assert request_context.current().memo == {}  # gone with the block
