"""Each channel against a local receiver: the exact request (URL, headers, body) and its
signature checked as the platform documents it."""

import base64
import hashlib
import hmac
import json
import re
import time
from pathlib import Path

import pytest

from weibao.notifications import notify
from weibao.notifications.channels.gateway import segments
from weibao.notifications.models import Delivery, NotificationChannel

pytestmark = pytest.mark.django_db(transaction=True)
Kind = NotificationChannel.Kind
ACK = "https://weibao.example.cn/ack/abc123"


def _post(contract, channel, users, **kwargs):
    defaults = dict(subject="P1 工单即将超时", body="SL-2026-000001 市民卡办理失败", contract=contract,
                    link="/tickets/1/", ack_url=ACK, channel_ids=[channel.pk], kind="test")
    defaults.update(kwargs)
    notify(users, **defaults)


def test_dingtalk_text_is_signed_as_dingtalk_documents(contract, reachable, receiver, make_channel):
    secret = "SECabcdef0123456789"
    robot = make_channel(contract, Kind.DINGTALK, receiver.url("/robot/send?access_token=tok123"), secret)
    user = reachable("13900001111")
    before = int(time.time() * 1000)
    _post(contract, robot, [user])
    [req] = receiver.requests
    assert req.path == "/robot/send"
    assert req.query["access_token"] == ["tok123"]
    timestamp = req.query["timestamp"][0]
    assert before - 1000 <= int(timestamp) <= int(time.time() * 1000)  # milliseconds
    # DingTalk's recipe: Base64(HMAC-SHA256(key=secret, msg="{timestamp}\n{secret}")),
    # URL-encoded in the query (parse_qs has decoded it once).
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert req.query["sign"] == [expected]
    assert req.headers["Content-Type"].startswith("application/json")
    body = req.json()
    assert body["msgtype"] == "text"
    assert body["at"] == {"atMobiles": ["13900001111"], "isAtAll": False}
    content = body["text"]["content"]
    assert content.startswith("P1 工单即将超时\nSL-2026-000001")
    assert f"一键确认：{ACK}" in content and "@13900001111" in content
    assert "http://127.0.0.1:8000/tickets/1/" in content
    delivery = Delivery.objects.get(channel="dingtalk")
    assert delivery.status == Delivery.Status.SENT and '"errcode": 0' in delivery.provider_response


def test_dingtalk_markdown_mentions_in_text_and_at(contract, reachable, receiver, make_channel):
    robot = make_channel(contract, Kind.DINGTALK, receiver.url("/robot/send?access_token=t"), "s",
                         message_format="markdown")
    _post(contract, robot, [reachable("13900002222", dingtalk_mobile="13700002222")])
    body = receiver.requests[0].json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "P1 工单即将超时"
    assert f"[一键确认]({ACK})" in body["markdown"]["text"]
    assert "@13700002222" in body["markdown"]["text"]  # the DingTalk mobile wins over the SMS one
    assert body["at"]["atMobiles"] == ["13700002222"]


def test_dingtalk_without_secret_sends_no_signature(contract, reachable, receiver, make_channel):
    robot = make_channel(contract, Kind.DINGTALK, receiver.url("/robot/send?access_token=t"))
    _post(contract, robot, [reachable()])
    assert "sign" not in receiver.requests[0].query


def test_wecom_text_mentions_by_mobile(contract, reachable, receiver, make_channel):
    robot = make_channel(contract, Kind.WECOM, receiver.url("/cgi-bin/webhook/send?key=KEY1"))
    _post(contract, robot, [reachable("13900003333"), reachable("13900004444", wecom_mobile="13600004444")])
    [req] = receiver.requests
    assert req.query == {"key": ["KEY1"]}
    body = req.json()
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13900003333", "13600004444"]
    assert ACK in body["text"]["content"]


def test_wecom_markdown_without_mentions(contract, receiver, make_channel):
    robot = make_channel(contract, Kind.WECOM, receiver.url("/cgi-bin/webhook/send?key=K"), message_format="markdown")
    _post(contract, robot, [])
    body = receiver.requests[0].json()
    assert body == {"msgtype": "markdown", "markdown": {"content": body["markdown"]["content"]}}
    assert body["markdown"]["content"].startswith("### P1 工单即将超时")


def _feishu_sign(timestamp: str, secret: str) -> str:
    # Feishu's recipe: Base64(HMAC-SHA256(key="{timestamp}\n{secret}", msg="")).
    return base64.b64encode(hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


def test_feishu_text_signed_in_the_body(contract, reachable, receiver, make_channel):
    robot = make_channel(contract, Kind.FEISHU, receiver.url("/open-apis/bot/v2/hook/abc"), "fs-secret")
    user = reachable(feishu_name="李工")
    _post(contract, robot, [user])
    body = receiver.requests[0].json()
    assert abs(int(body["timestamp"]) - time.time()) < 5  # seconds
    assert body["sign"] == _feishu_sign(body["timestamp"], "fs-secret")
    assert body["msg_type"] == "text"
    assert "@李工" in body["content"]["text"] and ACK in body["content"]["text"]


def test_feishu_interactive_card(contract, receiver, make_channel):
    robot = make_channel(contract, Kind.FEISHU, receiver.url("/open-apis/bot/v2/hook/abc"), "x",
                         message_format="markdown")
    _post(contract, robot, [], urgency="critical")
    body = receiver.requests[0].json()
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"]["content"] == "P1 工单即将超时" and card["header"]["template"] == "red"
    buttons = card["elements"][-1]["actions"]
    assert buttons[0]["url"] == ACK and buttons[0]["text"]["content"] == "一键确认"


def test_feishu_error_code_is_a_failure(contract, receiver, make_channel, clock):
    robot = make_channel(contract, Kind.FEISHU, receiver.url("/hook"))
    receiver.script = [(200, {"code": 19021, "msg": "sign match fail"})]
    _post(contract, robot, [])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and "19021" in delivery.provider_response


def test_generic_webhook_headers_and_signature(contract, reachable, receiver, make_channel):
    from weibao.notifications.channels.webhook import verify

    hook = make_channel(contract, Kind.WEBHOOK, receiver.url("/hooks/weibao"), "whsec_1")
    _post(contract, hook, [reachable()], urgency="high")
    [req] = receiver.requests
    delivery = Delivery.objects.get(channel="webhook")
    assert req.headers["Idempotency-Key"] == delivery.idempotency_key
    timestamp, sig = req.headers["X-Weibao-Timestamp"], req.headers["X-Weibao-Signature"]
    assert verify("whsec_1", timestamp, req.body, sig)
    assert not verify("other", timestamp, req.body, sig)
    assert not verify("whsec_1", timestamp, req.body + b" ", sig)
    assert not verify("whsec_1", str(int(timestamp) - 3600), req.body, sig)
    payload = req.json()
    assert payload["id"] == delivery.idempotency_key and payload["urgency"] == "high"
    assert payload["ack_url"] == ACK and payload["subject"] == "P1 工单即将超时"


def test_the_documented_verification_recipe_works(contract, receiver, make_channel):
    """The Python snippet of docs/notifications/webhooks.md, run as a receiver would."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "notifications" / "webhooks.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    namespace: dict = {}
    exec(compile(snippet, "webhooks.md", "exec"), namespace)  # noqa: S102 - our own documentation
    hook = make_channel(contract, Kind.WEBHOOK, receiver.url("/h"), "s3cret")
    _post(contract, hook, [])
    req = receiver.requests[0]
    headers = {k.lower(): v for k, v in req.headers.items()}
    assert namespace["verify_weibao_webhook"]("s3cret", headers, req.body) is True
    assert namespace["verify_weibao_webhook"]("wrong", headers, req.body) is False


def test_sms_through_the_generic_gateway_in_segments_of_70(contract, reachable, receiver, make_channel):
    make_channel(None, Kind.GATEWAY, receiver.url("/sms"), "gw-token", options={
        "headers": {"Authorization": "Bearer ${secret}"},
        "sms_body": '{"to": "${mobile}", "text": "${text}", "id": "${id}"}',
        "ok_field": "code", "ok_value": "0",
    })
    user = reachable("13900005555")
    notify(user, subject="P1 " + "市民卡办理系统无法登录，影响全区窗口，" * 3, contract=contract,
           urgency="high", ack_url=ACK)
    sms = Delivery.objects.get(channel="sms")
    parts = segments(sms.text)
    assert len(parts) > 1 and all(len(p) <= 70 for p in parts)
    sent = [r.json() for r in receiver.requests]
    assert [s["text"] for s in sent] == parts
    assert {s["to"] for s in sent} == {"13900005555"}
    assert [s["id"] for s in sent] == [f"{sms.idempotency_key}-{i}" for i in range(1, len(parts) + 1)]
    assert receiver.requests[0].headers["Authorization"] == "Bearer gw-token"
    assert "".join(re.sub(r"\(\d+/\d+\)$", "", p) for p in parts) == sms.text
    assert sms.text.endswith(f"确认：{ACK}")
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT


def test_a_short_sms_is_one_segment(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"))
    notify(reachable(), subject="P1 告警", contract=contract, urgency="high")
    [req] = receiver.requests
    assert req.json()["content"] == "维保：P1 告警" and len(req.json()["content"]) <= 70


def test_contract_gateway_wins_over_the_platform_one(contract, reachable, receiver, make_channel):
    from .receivers import Receiver

    platform = Receiver()
    try:
        make_channel(None, Kind.GATEWAY, platform.url("/sms"))
        make_channel(contract, Kind.GATEWAY, receiver.url("/sms"))
        notify(reachable(), subject="告警", contract=contract, urgency="high")
        assert len(receiver.requests) == 1 and platform.requests == []
    finally:
        platform.close()


def test_sms_and_voice_without_gateway_are_kept_as_failures_to_see(contract, reachable, clock):
    notify(reachable(), subject="告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert sms.status == Delivery.Status.PENDING and "网关" in sms.last_error


def test_email_through_a_real_smtp_server(contract, reachable, settings):
    from tests.faults.support import FakeSmtp

    smtp = FakeSmtp()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        user = reachable()
        notify(user, subject="工单即将超时", body="SL-2026-000001", contract=contract, link="/tickets/1/", ack_url=ACK)
        delivery = Delivery.objects.get(channel="email")
        assert delivery.status == Delivery.Status.SENT
        assert smtp.delivered(delivery.idempotency_key) == 1  # the Message-ID carries the key
        raw = smtp.messages[0].decode()
        assert f"To: {user.email}" in raw
    finally:
        smtp.close()


def test_voice_call_through_the_gateway_voice_url(contract, reachable, receiver, make_channel, clock):
    from datetime import timedelta

    from weibao.notifications.tasks import retry_pending_deliveries

    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"), options={"voice_url": receiver.url("/tts")})
    notify(reachable("13900006666"), subject="一级事件：政务外网中断", contract=contract, urgency="critical",
           ack_url=ACK, dedup_key="esc:1:step:1")
    assert [r.path for r in receiver.requests] == ["/sms"]
    clock.advance(timedelta(minutes=5))
    retry_pending_deliveries.call_local()
    assert [r.path for r in receiver.requests] == ["/sms", "/tts"]
    call = receiver.requests[1].json()
    assert call["mobile"] == "13900006666" and call["type"] == "voice"
    assert call["tts"].startswith("维保紧急通知：一级事件：政务外网中断")
    assert json.loads(receiver.requests[1].body)["request_id"] == Delivery.objects.get(channel="voice").idempotency_key
