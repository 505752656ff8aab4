"""The Aliyun gateway: its signature against Aliyun's documented example, and SMS and
voice calls through a local receiver that checks each request as Aliyun would (the
signature recomputed from the form, the template and its one variable, OutId)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest

from weibao.notifications import notify
from weibao.notifications.channels import aliyun
from weibao.notifications.channels.gateway import segments
from weibao.notifications.models import Delivery, NotificationChannel

pytestmark = pytest.mark.django_db(transaction=True)
Kind = NotificationChannel.Kind
OPTIONS = {"provider": "aliyun", "access_key_id": "LTAI-test", "sign_name": "石龙区政务服务",
           "sms_template": "SMS_900001", "voice_template": "TTS_900002", "show_number": "057188880000"}


def test_the_signature_is_the_one_of_aliyuns_documented_example():
    # https://help.aliyun.com/document_detail/101343.html (SendSms, signature version 1.0)
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }
    assert aliyun.signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert aliyun.percent_encode("a b*~/") == "a%20b%2A~%2F"


def _form(request) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode(), keep_blank_values=True))


def _verify(form: dict[str, str], secret: str) -> bool:
    """What Aliyun does with a request: recompute the signature from everything else."""
    given = form.pop("Signature")
    return aliyun.signature(form, secret) == given


def test_sms_in_parts_through_the_approved_template(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options=OPTIONS)
    receiver.script = [(200, {"Code": "OK", "BizId": "9001^0"})] * 5
    notify(reachable("13900007777"), subject="P1 " + "一网通办平台统一身份认证异常，全区窗口无法登录，" * 3,
           contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    parts = segments(sms.text)
    assert len(parts) > 1 and len(receiver.requests) == len(parts)
    for number, request in enumerate(receiver.requests, 1):
        form = _form(request)
        assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
        assert (form["Action"], form["Version"], form["SignatureMethod"], form["Format"]) == (
            "SendSms", "2017-05-25", "HMAC-SHA1", "JSON")
        assert (form["PhoneNumbers"], form["SignName"], form["TemplateCode"]) == (
            "13900007777", "石龙区政务服务", "SMS_900001")
        assert json.loads(form["TemplateParam"]) == {"content": parts[number - 1]}
        assert form["OutId"] == f"{sms.idempotency_key}-{number}"
        assert _verify(form, "ali-secret")
        assert not _verify(_form(request), "another-secret")
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT and '"BizId": "9001^0"' in sms.provider_response


def test_a_throttled_part_is_retried_from_where_it_stopped(contract, reachable, receiver, make_channel, clock):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options=OPTIONS)
    receiver.script = [(200, {"Code": "OK"}), (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"})]
    notify(reachable("13900007777"), subject="P1 " + "市民卡办理系统无法登录，影响全区窗口，" * 5,
           contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert len(segments(sms.text)) == 2
    assert sms.status == Delivery.Status.PENDING and "isv.BUSINESS_LIMIT_CONTROL" in sms.last_error
    receiver.script = [(200, {"Code": "OK"})] * 5
    clock.advance(timedelta(hours=1))
    from weibao.notifications.services import retry_due

    retry_due()
    sms.refresh_from_db()
    out_ids = [_form(r)["OutId"] for r in receiver.requests]
    assert sms.status == Delivery.Status.SENT
    assert out_ids[0] == f"{sms.idempotency_key}-1" and out_ids.count(f"{sms.idempotency_key}-1") == 1
    assert out_ids[1] == out_ids[2] == f"{sms.idempotency_key}-2"  # the refused part again, not the first


def test_a_voice_call_after_five_minutes_unacknowledged(contract, reachable, receiver, make_channel, clock):
    from weibao.notifications.tasks import retry_pending_deliveries

    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"), "ali-secret",
                 options=OPTIONS | {"voice_endpoint": receiver.url("/tts")})
    receiver.script = [(200, {"Code": "OK"})] * 3
    notify(reachable("13900006666"), subject="一级事件：政务外网中断", contract=contract, urgency="critical",
           dedup_key="esc:7:step:1")
    clock.advance(timedelta(minutes=5))
    retry_pending_deliveries.call_local()
    assert [r.path for r in receiver.requests] == ["/sms", "/tts"]
    call = _form(receiver.requests[1])
    assert (call["Action"], call["CalledNumber"], call["TtsCode"], call["CalledShowNumber"]) == (
        "SingleCallByTts", "13900006666", "TTS_900002", "057188880000")
    assert json.loads(call["TtsParam"])["content"].startswith("维保紧急通知：一级事件：政务外网中断")
    assert call["OutId"] == Delivery.objects.get(channel="voice").idempotency_key
    assert _verify(call, "ali-secret")


def test_a_gateway_missing_its_template_is_a_failure_to_see(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret",
                 options={"provider": "aliyun", "access_key_id": "LTAI-test"})
    notify(reachable(), subject="P1 告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert receiver.requests == [] and "sms_template and sign_name are required" in sms.last_error
