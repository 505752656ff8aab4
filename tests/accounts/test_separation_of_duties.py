"""三员分立 on contract roles (issue 11 item 2, decision 0012): nobody grants themselves a
role, and the three administrators hold no contract role, nor does a contract member
become an administrator."""

import pytest
from django.core.exceptions import ValidationError

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.audit.models import AuditRecord
from weibao.contracts.models import Membership
from weibao.contracts.scoping import member_contract_ids
from weibao.contracts.services import add_member
from weibao.servicedesk.models import Ticket
from weibao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secadmin(db):
    user = UserFactory(username="secadmin")
    grant_admin_role(user, AdminRole.SECURITY_ADMIN, by=None)
    return user


def test_the_security_admin_cannot_grant_itself_a_contract_role(client_for, secadmin, contract):
    client = client_for(secadmin)
    for role in ("project_manager", "auditor"):
        response = client.post(
            f"/accounts/users/{secadmin.pk}/memberships/", {"contract": contract.pk, "role": role}, follow=True
        )
        assert "三员分立" in response.content.decode()
    assert not Membership.objects.filter(user=secadmin).exists()
    assert not AuditRecord.objects.filter(action="role.member_added").exists()


@pytest.mark.parametrize("role", [AdminRole.SYSTEM_ADMIN, AdminRole.SECURITY_ADMIN, AdminRole.AUDITOR])
def test_an_administrator_gets_no_contract_role(client_for, secadmin, contract, role):
    person = UserFactory()
    grant_admin_role(person, role, by=None)
    response = client_for(secadmin).post(
        f"/accounts/users/{person.pk}/memberships/", {"contract": contract.pk, "role": "project_manager"},
        follow=True,
    )
    assert "管理员不能同时担任合同角色" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_a_contract_member_gets_no_administrator_role(client_for, secadmin, contract, pm):
    response = client_for(secadmin).post(f"/accounts/users/{pm.pk}/admin-role/", {"role": "auditor"}, follow=True)
    assert "不能同时担任管理员" in response.content.decode()
    pm.refresh_from_db()
    assert pm.admin_role is None


def test_nobody_grants_themselves_an_administrator_role(secadmin):
    with pytest.raises(ValidationError):
        grant_admin_role(secadmin, AdminRole.AUDITOR, by=secadmin)
    plain = UserFactory()
    with pytest.raises(ValidationError):
        grant_admin_role(plain, AdminRole.SECURITY_ADMIN, by=plain)


def test_nobody_adds_themselves_to_a_contract(contract, pm):
    with pytest.raises(ValidationError):
        add_member(contract, pm, "auditor", by=pm)


def test_an_administrators_membership_written_around_the_rule_gives_no_access(
    client_for, secadmin, contract, pm
):
    """A row written directly (an old database, a script) still opens nothing."""
    Membership.objects.create(contract=contract, user=secadmin, role="project_manager")
    ticket = Ticket.objects.create(contract=contract, subject="机密工单", description="x")
    assert member_contract_ids(secadmin) == []
    assert not Ticket.objects.for_user(secadmin).exists()
    client = client_for(secadmin)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert client.post(f"/tickets/{ticket.pk}/phone/").status_code in (403, 404)
