"""``/api/v1/me/`` tells the caller who they are, as the access layer sees them."""

from __future__ import annotations

import pytest

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.contracts.models import Membership
from weibao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_lists_the_callers_roles(api_client_for, pm, contract):
    body = api_client_for(pm).get("/api/v1/me/").json()
    assert body["memberships"] == [{"contract": contract.pk, "role": "project_manager"}]


def test_an_administrators_leftover_role_rows_are_not_reported_as_roles(api_client_for, contract):
    # Decision 0012: a row written around add_member gives an administrator nothing, so the
    # API must not tell them (or a client acting on it) that they hold the role.
    secadmin = UserFactory(username="secadmin")
    grant_admin_role(secadmin, AdminRole.SECURITY_ADMIN, by=None)
    Membership.objects.create(contract=contract, user=secadmin, role="project_manager")
    body = api_client_for(secadmin).get("/api/v1/me/").json()
    assert body["admin_role"] == AdminRole.SECURITY_ADMIN
    assert body["memberships"] == []
