"""The pages: one's own contact methods, rules and test; the contract's delivery log
(failures first, retry now) and channels (secrets encrypted, write-only); isolation."""

import pytest

from weibao.accounts.roles import AdminRole
from weibao.accounts.services.roles import grant_admin_role
from weibao.audit.models import AuditRecord
from weibao.core import stored_secrets
from weibao.notifications.models import (
    ContactProfile,
    Delivery,
    NotificationChannel,
    NotificationRule,
)
from weibao.testing.factories import UserFactory
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db(transaction=True)
Kind = NotificationChannel.Kind


def _rules_post(**extra):
    data = {"p-email": "", "p-mobile": "138 0013 8000", "p-dingtalk_mobile": "", "p-wecom_mobile": "",
            "p-feishu_name": "李工", "p-quiet_start": "22:00", "p-quiet_end": "07:30",
            "r-use_critical_sms": "on", "r-delay_critical_sms": "0",
            "r-use_critical_voice": "on", "r-delay_critical_voice": "5",
            "r-use_low_email": "on", "r-delay_low_email": "0"}
    data.update(extra)
    return data


def test_a_user_edits_their_own_methods_and_rules(contract, make_member, client_for):
    user = make_member(contract, "oncall_engineer", email="li@example.cn")
    client = client_for(user)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "给我发一条测试" in page.content.decode()
    response = client.post("/notifications/settings/", _rules_post())
    assert response.status_code == 302
    profile = ContactProfile.objects.get(user=user)
    assert profile.mobile == "13800138000" and profile.quiet_start.hour == 22
    assert sorted(NotificationRule.objects.filter(user=user).values_list("urgency", "method", "delay_minutes")) == [
        ("critical", "sms", 0), ("critical", "voice", 5), ("low", "email", 0)]
    record = AuditRecord.objects.filter(action="notification.contact.save").get()
    assert "13800138000" not in str(record.detail)


def test_bad_contact_input_is_shown_not_a_500(contract, make_member, client_for):
    user = make_member(contract, "oncall_engineer")
    client = client_for(user)
    response = client.post("/notifications/settings/", _rules_post(**{"p-mobile": "12345", "r-delay_critical_voice": "99999",
                                                                      "p-quiet_end": ""}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写 11 位中国大陆手机号" in body and "免打扰需同时填写" in body
    assert not NotificationRule.objects.filter(user=user).exists()


def test_send_me_a_test_goes_through_my_rules_at_once(contract, make_member, client_for, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"), options={"voice_url": receiver.url("/tts")})
    user = make_member(contract, "oncall_engineer", email="li@example.cn")
    ContactProfile.objects.create(user=user, mobile="13800138000")
    response = client_for(user).post("/notifications/settings/test/", {"urgency": "critical"})
    assert response.status_code == 302
    assert sorted(r.path for r in receiver.requests) == ["/sms", "/tts"]  # voice without its 5 minutes
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert client_for(user).post("/notifications/settings/test/", {"urgency": "urgent"}).status_code == 400


def _deliveries(contract, other_contract):
    sent = Delivery.objects.create(contract=contract, channel="sms", address="13800138000", subject="已发出的短信",
                                   status="sent", attempts=1)
    failed = Delivery.objects.create(contract=contract, channel="email", address="a@example.cn",
                                     subject="失败的邮件", status="failed", attempts=8, last_error="smtp down")
    foreign = Delivery.objects.create(contract=other_contract, channel="email", address="x@example.cn",
                                      subject="另一合同的秘密通知", status="failed", attempts=8)
    return sent, failed, foreign


def test_the_pm_sees_failures_first_and_only_their_contract(contract, other_contract, pm, outsider, client_for):
    sent, failed, foreign = _deliveries(contract, other_contract)
    body = client_for(pm).get("/notifications/deliveries/").content.decode()
    assert body.index("失败的邮件") < body.index("已发出的短信")
    assert "138****8000" in body and "13800138000" not in body
    assert "另一合同的秘密通知" not in body
    assert_isolated(client_for(outsider), ["/notifications/deliveries/"], secrets=["失败的邮件", "已发出的短信"])
    assert client_for(outsider).post(f"/notifications/deliveries/{failed.pk}/retry/").status_code == 404
    assert client_for(pm).post(f"/notifications/deliveries/{foreign.pk}/retry/").status_code == 404
    assert client_for(pm).get("/notifications/deliveries/?status=bogus").status_code == 400


def test_other_roles_cannot_read_the_log(contract, make_member, client_for):
    agent = make_member(contract, "hotline_agent")
    assert client_for(agent).get("/notifications/deliveries/").status_code == 403
    assert client_for(agent).get("/notifications/channels/").status_code == 403


def test_retry_now_sends_a_failed_delivery_again(contract, make_member, pm, client_for, receiver, make_channel):
    robot = make_channel(contract, Kind.WECOM, receiver.url("/send?key=k"))
    failed = Delivery.objects.create(contract=contract, target=robot, channel="wecom", address=robot.name,
                                     subject="重发我", status="failed", attempts=8)
    response = client_for(pm).post(f"/notifications/deliveries/{failed.pk}/retry/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "sent" and failed.attempts == 1 and len(receiver.requests) == 1
    assert AuditRecord.objects.filter(action="notification.delivery.retry").count() == 1


def test_platform_deliveries_are_the_system_administrators(contract, pm, client_for):
    Delivery.objects.create(contract=None, channel="email", address="s@example.cn", subject="平台安全通知",
                            status="failed", attempts=8)
    admin = UserFactory(username="sysadmin1")
    grant_admin_role(admin, AdminRole.SYSTEM_ADMIN, by=None)
    assert "平台安全通知" in client_for(admin).get("/notifications/deliveries/platform/").content.decode()
    assert client_for(pm).get("/notifications/deliveries/platform/").status_code == 403
    assert "平台安全通知" not in client_for(pm).get("/notifications/deliveries/").content.decode()


def test_the_pm_adds_a_robot_whose_secrets_never_come_back(contract, other_contract, pm, outsider, client_for,
                                                           receiver, make_channel):
    client = client_for(pm)
    url = receiver.url("/robot/send?access_token=tok-SECRET-1")
    response = client.post("/notifications/channels/new/", {
        "name": "值班群", "kind": "dingtalk", "message_format": "text", "rate_per_minute": "0", "active": "on",
        "endpoint_input": url, "secret_input": "SEC-very-secret", "options_text": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = NotificationChannel.objects.get(contract=contract)
    assert stored_secrets.is_protected(channel.endpoint) and stored_secrets.is_protected(channel.secret)
    assert stored_secrets.reveal(channel.secret) == "SEC-very-secret"
    page = client.get(f"/notifications/channels/{channel.pk}/").content.decode()
    assert "tok-SECRET-1" not in page and "SEC-very-secret" not in page
    # Saving again with the secret fields blank keeps them.
    client.post(f"/notifications/channels/{channel.pk}/", {
        "name": "值班群2", "kind": "dingtalk", "message_format": "markdown", "rate_per_minute": "0", "active": "on"})
    channel.refresh_from_db()
    assert channel.name == "值班群2" and stored_secrets.reveal(channel.secret) == "SEC-very-secret"
    record = AuditRecord.objects.filter(action="notification.channel.save").first()
    assert "SEC-very-secret" not in str(record.detail) and "tok-SECRET-1" not in str(record.detail)
    # The test button posts to the group.
    assert client.post(f"/notifications/channels/{channel.pk}/test/").status_code == 302
    assert len(receiver.requests) == 1 and "sign" in receiver.requests[0].query
    # Another contract's PM sees none of it.
    foreign = client_for(outsider)
    assert foreign.get(f"/notifications/channels/{channel.pk}/").status_code == 404
    assert foreign.post(f"/notifications/channels/{channel.pk}/test/").status_code == 404
    assert_isolated(foreign, ["/notifications/channels/"], secrets=["值班群2"])


def test_a_channel_address_outside_the_allowed_hosts_is_refused(contract, pm, client_for, settings):
    settings.WEIBAO_NOTIFY_HOSTS = ["oapi.dingtalk.com"]
    response = client_for(pm).post("/notifications/channels/new/", {
        "name": "x", "kind": "webhook", "message_format": "text", "rate_per_minute": "0",
        "endpoint_input": "http://10.0.0.5:6379/", "options_text": "[1]",
    })
    body = response.content.decode()
    assert response.status_code == 200 and "WEIBAO_NOTIFY_HOSTS" in body and "应为 JSON 对象" in body
    assert not NotificationChannel.objects.exists()


@pytest.mark.parametrize(("options", "problem"), [
    ('{"provider": "aliyun", "voice_endpoint": "http://10.0.0.5:6379/"}', "voice_endpoint 不在允许的地址范围内"),
    ('{"provider": "yunpian"}', "provider 应为以下之一：aliyun、generic、tencent"),
    ('{"provider": ["aliyun"]}', "provider 应为文本"),
    ('{"provider": "aliyun", "sms_param": ["x"]}', "sms_param 应为文本"),
    ('{"provider": "tencent", "sms_app_id": {"id": 1}}', "sms_app_id 应为文本"),
    ('{"provider": "tencent", "voice_param_limit": 1000}', "voice_param_limit 应为 2 至 500 之间的整数"),
    ('{"provider": "tencent", "voice_endpoint": "http://10.0.0.5:6379/"}', "voice_endpoint 不在允许的地址范围内"),
])
def test_a_gateways_provider_and_call_address_are_checked(contract, pm, client_for, settings, options, problem):
    settings.WEIBAO_NOTIFY_HOSTS = ["dysmsapi.aliyuncs.com"]
    response = client_for(pm).post("/notifications/channels/new/", {
        "name": "短信", "kind": "gateway", "message_format": "text", "rate_per_minute": "0",
        "endpoint_input": "https://dysmsapi.aliyuncs.com/", "options_text": options,
    })
    assert response.status_code == 200 and problem in response.content.decode()
    assert not NotificationChannel.objects.exists()


@pytest.mark.parametrize(("endpoint", "options", "problem"), [
    ("https://sms.tencentcloudapi.com/?Action=SendSms", '{"provider": "tencent"}', "腾讯云接口地址不能带查询参数"),
    ("https://sms.tencentcloudapi.com/", '{"provider": "tencent", "voice_endpoint": "https://vms.tencentcloudapi.com/?a=1"}',
     "voice_endpoint: an endpoint has no query string"),
    ("https://sms.tencentcloudapi.com:44x/", '{"provider": "tencent"}', "端口不是数字"),
])
def test_an_endpoint_tencent_cannot_sign_is_refused_when_saved(contract, pm, client_for, settings, endpoint, options,
                                                               problem):
    settings.WEIBAO_NOTIFY_HOSTS = ["sms.tencentcloudapi.com", "vms.tencentcloudapi.com"]
    response = client_for(pm).post("/notifications/channels/new/", {
        "name": "短信", "kind": "gateway", "message_format": "text", "rate_per_minute": "0",
        "endpoint_input": endpoint, "options_text": options,
    })
    assert response.status_code == 200 and problem in response.content.decode()
    assert not NotificationChannel.objects.exists()
    # The same endpoint under the generic gateway (no signature over it) is the vendor's call.
    if "?" in endpoint:
        client_for(pm).post("/notifications/channels/new/", {
            "name": "短信", "kind": "gateway", "message_format": "text", "rate_per_minute": "0",
            "endpoint_input": endpoint, "options_text": "{}",
        })
        assert NotificationChannel.objects.count() == 1
