import pytest

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.audit.models import AuditRecord
from weibao.contracts.models import Membership
from weibao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secadmin(db):
    user = UserFactory(username="secadmin")
    grant_admin_role(user, AdminRole.SECURITY_ADMIN, by=None)
    return user


@pytest.fixture
def sysadmin(db):
    user = UserFactory(username="sysadmin")
    grant_admin_role(user, AdminRole.SYSTEM_ADMIN, by=None)
    return user


def test_security_admin_grants_and_removes_a_contract_role(client_for, secadmin, contract):
    person = UserFactory(username="newengineer", phone="13812348000")
    client = client_for(secadmin)
    listing = client.get("/accounts/users/").content.decode()
    assert "newengineer" in listing and "138****8000" in listing and "13812348000" not in listing
    response = client.post(
        f"/accounts/users/{person.pk}/memberships/", {"contract": contract.pk, "role": "resident_engineer"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, contract=contract)
    assert AuditRecord.objects.filter(action="role.member_added", actor=secadmin, contract=contract).exists()
    client.post(f"/accounts/users/{person.pk}/memberships/{membership.pk}/remove/")
    membership.refresh_from_db()
    assert membership.active is False
    assert AuditRecord.objects.filter(action="role.member_removed", actor=secadmin).exists()


def test_second_admin_role_is_refused_with_a_clear_message(client_for, secadmin, sysadmin):
    client = client_for(secadmin)
    response = client.post(f"/accounts/users/{sysadmin.pk}/admin-role/", {"role": "auditor"}, follow=True)
    assert "三员分立" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.admin_role == AdminRole.SYSTEM_ADMIN


@pytest.mark.parametrize("role", ["project_manager", "system_admin", "auditor"])
def test_only_the_security_admin_manages_roles(client_for, contract, make_member, role):
    if role == "project_manager":
        user = make_member(contract, role)
    else:
        user = UserFactory()
        grant_admin_role(user, role, by=None)
    client = client_for(user)
    assert client.get("/accounts/users/").status_code == 403
    assert client.post(f"/accounts/users/{user.pk}/admin-role/", {"role": "security_admin"}).status_code == 403


def test_security_admin_unlocks_a_locked_account(client, client_for, secadmin, pm):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "pm", "password": "bad"})
    admin_client = client_for(secadmin)
    assert "已锁定" in admin_client.get("/accounts/users/").content.decode()
    admin_client.post(f"/accounts/users/{pm.pk}/unlock/")
    assert client.post("/accounts/login/", {"username": "pm", "password": "Weibao@2026"}).status_code == 302
    assert AuditRecord.objects.filter(action="login.unlocked", actor=secadmin).exists()


def test_django_admin_is_for_system_admins_only(client_for, sysadmin, secadmin, pm):
    assert client_for(sysadmin).get("/admin/").status_code == 200
    for other in (secadmin, pm):
        response = client_for(other).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_edits_are_audited_with_before_and_after(client_for, sysadmin, contract):
    client = client_for(sysadmin)
    page = client.get(f"/admin/contracts/contract/{contract.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") or "" for name in form.fields}
    data.update({"name": "改名后的项目", "term_start": "2026-03-09", "term_end": "2027-03-08"})
    response = client.post(f"/admin/contracts/contract/{contract.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = AuditRecord.objects.get(action="admin.changed", actor=sysadmin)
    assert record.after == {"name": "改名后的项目"}
    assert record.before["name"] == contract.name
