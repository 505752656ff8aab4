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


def test_a_user_read_with_their_administrator_grant_needs_no_join_to_tell_their_roles(
        contract, pm, django_assert_num_queries):
    """As the request's user is read (accounts.backends): the administrator rule is answered
    from the grant in hand, a membership row written around it still counts for nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from weibao.accounts.backends import UserBackend
    from weibao.accounts.models import AdminRoleGrant
    from weibao.contracts.access import memberships_of
    from weibao.contracts.models import Membership
    from weibao.testing.factories import UserFactory

    secadmin = UserFactory(username="secadmin")
    AdminRoleGrant.objects.create(user=secadmin, role="security_admin")
    Membership.objects.create(contract=contract, user=secadmin, role="project_manager")
    signed_in_pm, signed_in_admin = UserBackend().get_user(pm.pk), UserBackend().get_user(secadmin.pk)
    with CaptureQueriesContext(connection) as queries:
        assert memberships_of(signed_in_pm) == {contract.pk: frozenset({"project_manager"})}
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "accounts_user" not in sql and "adminrolegrant" not in sql, sql
    with django_assert_num_queries(0):
        assert memberships_of(signed_in_admin) == {}
    # A user object without the grant read: the rule is applied by the query itself.
    from weibao.accounts.models import User

    assert memberships_of(User.objects.get(pk=secadmin.pk)) == {}
