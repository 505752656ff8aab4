"""Issue 13 item 4: each administrator lands on a home of their own, not on "您还不是任何
合同的成员"; the auditors see what they can do with the trail; nothing of a contract's
business shows on an administrator's home."""

from datetime import timedelta

import pytest
from django.test import override_settings

from weibao.accounts.models import LoginThrottle
from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.audit import services as audit
from weibao.core import clock, health
from weibao.servicedesk.services import tickets
from weibao.servicedesk.services.defaults import install_defaults
from weibao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

DEAD_END = "您还不是任何合同的成员"


def _admin(username, role):
    user = UserFactory(username=username)
    grant_admin_role(user, role, by=None)
    return user


@pytest.fixture
def sysadmin(db):
    return _admin("sysadmin", AdminRole.SYSTEM_ADMIN)


@pytest.fixture
def secadmin(db):
    return _admin("secadmin", AdminRole.SECURITY_ADMIN)


@pytest.fixture
def sysauditor(db):
    return _admin("sysauditor", AdminRole.AUDITOR)


@pytest.fixture
def business(contract, pm):
    """A contract with a ticket whose words must stay on the contract's pages."""
    install_defaults(contract)
    return tickets.create_ticket(
        contract, by=pm, type="fault", priority="p2", channel="phone",
        subject="社保卡挂失页面报错XYZ", description="机密描述ABC",
        requester_name="张三丰", requester_phone="13800001234",
    )


def _home(client_for, user) -> str:
    response = client_for(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


def _leaks(body, contract, ticket):
    return [word for word in (contract.name, contract.number, ticket.subject, ticket.number, "张三丰")
            if word in body]


def test_the_system_admin_sees_system_health_warnings_and_the_admin(client_for, sysadmin, tmp_path):
    with override_settings(VAR_DIR=tmp_path, MEDIA_ROOT=tmp_path / "media", DEBUG=True):
        health.beat()
        body = _home(client_for, sysadmin)
    assert DEAD_END not in body
    assert "系统运行状况" in body
    for row in ("数据库", "任务队列", "后台任务与定时调度", "发送失败", "邮件接收", "磁盘"):
        assert row in body, row
    assert "运行中（最近心跳" in body
    assert str(tmp_path) in body  # disk free where the uploads live
    assert "调试模式已开启" in body  # a configuration warning
    assert 'href="/admin/"' in body


def test_the_system_admin_is_told_when_the_worker_stopped(client_for, sysadmin, tmp_path):
    with override_settings(VAR_DIR=tmp_path, MEDIA_ROOT=tmp_path):
        body = _home(client_for, sysadmin)
        assert "未运行（从未收到心跳）" in body
        health.beat()
        later = clock.now() + timedelta(minutes=10)
        clock.set_now(later)
        try:
            body = _home(client_for, sysadmin)
        finally:
            clock.set_now(None)
    assert "已停止（最近心跳" in body


def test_the_heartbeat_task_marks_the_worker_alive(tmp_path):
    from weibao.core.tasks import heartbeat

    with override_settings(VAR_DIR=tmp_path):
        assert not health.worker_alive()
        heartbeat.call_local()
        assert health.worker_alive()


def test_the_security_admin_sees_locks_second_factors_passwords_and_events(client_for, secadmin, sysadmin):
    locked = UserFactory(username="zhangwei")
    LoginThrottle.objects.create(username="zhangwei", failures=5,
                                 locked_until=clock.now() + timedelta(minutes=10))
    audit.record("login.locked", outcome="denied", detail={"username": "zhangwei"})
    with override_settings(WEIBAO_PASSWORD_MAX_AGE_DAYS=90):
        type(locked).objects.filter(pk=locked.pk).update(
            password_changed_at=clock.now() - timedelta(days=200))
        body = _home(client_for, secadmin)
    assert DEAD_END not in body and "请联系安全管理员" not in body
    assert "账号与安全" in body
    assert f"/accounts/users/{locked.pk}/unlock/" in body  # unlock from the home
    assert 'href="/accounts/users/"' in body  # users and roles
    assert "未启用双因素认证的管理员" in body and "sysadmin" in body
    assert "口令超过使用期限的账号" in body
    assert "最近的安全事件" in body and "账号被锁定" in body


def test_no_contract_business_reaches_the_administrators_homes(
    client_for, sysadmin, secadmin, sysauditor, contract, business, tmp_path
):
    with override_settings(VAR_DIR=tmp_path, MEDIA_ROOT=tmp_path):
        for admin in (sysadmin, secadmin, sysauditor):
            body = _home(client_for, admin)
            assert _leaks(body, contract, business) == [], admin.username
            assert "服务台" not in body and "还没有工单" not in body


def test_the_platform_auditor_sees_the_trail_exports_and_the_anchor(client_for, sysauditor):
    audit.record("login.failed", outcome="denied", detail={"username": "nobody"})
    body = _home(client_for, sysauditor)
    assert DEAD_END not in body
    assert "还没有工单" not in body and "正在统计" not in body
    assert "可查阅的审计记录" in body
    assert 'href="/audit/"' in body
    assert "/audit/?export=csv" in body and "/audit/?export=xlsx" in body
    assert 'href="/audit/anchor/"' in body


def test_a_contract_auditor_sees_the_contracts_trail_not_the_ticket_queue(
    client_for, contract, make_member, business
):
    auditor = make_member(contract, "auditor", username="aud")
    body = _home(client_for, auditor)
    assert "还没有工单" not in body and "正在统计" not in body
    assert "可查阅的审计记录" in body and "/audit/?export=csv" in body
    assert "/audit/anchor/" not in body  # the checkpoint is the platform auditor's
    assert client_for(auditor).get("/tickets/").status_code == 403


def test_a_member_home_has_no_administrator_panels(client_for, pm, business):
    body = _home(client_for, pm)
    assert "服务台" in body
    for heading in ("系统运行状况", "账号与安全", "可查阅的审计记录"):
        assert heading not in body
