"""The Aliyun gateway: its signature against Aliyun's documented example, and SMS and
voice calls through a local receiver that checks each request as Aliyun would (the
signature recomputed from the form, the template and its one variable, OutId)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest

from weibao.notifications import notify
from weibao.notifications.channels import aliyun, templated
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


def test_one_sms_through_the_approved_template_with_the_subject_in_its_variable(
        contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options=OPTIONS)
    receiver.script = [(200, {"Code": "OK", "BizId": "9001^0"})]
    subject = "P1 一网通办平台统一身份认证异常，全区窗口无法登录，企业开办和不动产登记受影响 https://ops.example.cn/x 请立即处理"
    notify(reachable("13900007777"), subject=subject, contract=contract, urgency="high",
           ack_url="/esc/ack/1/token")
    sms = Delivery.objects.get(channel="sms")
    [request] = receiver.requests  # one message, one request: the template has the wording
    form = _form(request)
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert (form["Action"], form["Version"], form["SignatureMethod"], form["Format"]) == (
        "SendSms", "2017-05-25", "HMAC-SHA1", "JSON")
    assert (form["PhoneNumbers"], form["SignName"], form["TemplateCode"], form["OutId"]) == (
        "13900007777", "石龙区政务服务", "SMS_900001", sms.idempotency_key)
    content = json.loads(form["TemplateParam"])["content"]
    # No link (Aliyun refuses them in a variable), at most 35 characters.
    assert "http" not in content and "/esc/ack/" not in content
    assert len(content) == 35 and content.endswith("…") and content.startswith("P1 一网通办平台统一身份认证异常")
    assert _verify(form, "ali-secret")
    assert not _verify(_form(request), "another-secret")
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT and '"BizId": "9001^0"' in sms.provider_response
    assert "ali-secret" not in sms.provider_response + sms.last_error


def test_a_throttle_waits_uncounted_and_a_business_limit_counts(contract, reachable, receiver, make_channel, clock):
    from weibao.notifications.services import MAX_ATTEMPTS, retry_due

    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options=OPTIONS)
    receiver.script = [(200, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."})]
    notify(reachable("13900007777"), subject="P1 告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("pending", 0) and "Throttling.User" in sms.last_error
    receiver.script = [(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控"})] * 20
    for _ in range(MAX_ATTEMPTS + 2):
        clock.advance(timedelta(hours=1))
        retry_due()
    sms.refresh_from_db()
    # Refused all day: it ends as failed, for the PM's delivery page, not retried for ever.
    assert (sms.status, sms.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(receiver.requests) == 1 + MAX_ATTEMPTS


def test_an_option_that_is_not_text_is_a_failure_to_see(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options=OPTIONS | {"sms_param": ["x"]})
    notify(reachable(), subject="P1 告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert receiver.requests == [] and "option sms_param must be text" in sms.last_error


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
    assert json.loads(call["TtsParam"]) == {"content": "一级事件：政务外网中断"}
    assert call["OutId"] == Delivery.objects.get(channel="voice").idempotency_key
    assert _verify(call, "ali-secret")


def test_a_gateway_missing_its_template_is_a_failure_to_see(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret",
                 options={"provider": "aliyun", "access_key_id": "LTAI-test"})
    notify(reachable(), subject="P1 告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert receiver.requests == [] and "sms_template and sign_name are required" in sms.last_error


@pytest.mark.parametrize(("subject", "sent"), [
    ("统一认证异常，见 https://ops.example.cn/x?a=1 处理", "统一认证异常，见 处理"),
    ("统一认证异常访问www.shilong.gov.cn/zwfw查看", "统一认证异常访问查看"),
    ("网关 ops.example.cn:8443/health 无响应", "网关 无响应"),
    ("请联系 ops-1@example.com.cn 值班", "请联系 值班"),
    ("短链 bit.ly/abc 见", "短链 见"),
    ("ops.example.cn/health,CPU=95%,10.2.3.4宕机", ",CPU=95%,10.2.3.4宕机"),
    ("告警-https://ops.example.cn/x", "告警-"),
    ("【P1】政务外网-www.shilong.gov.cn 无法访问", "【P1】政务外网- 无法访问"),
    ("https://ops.example.cn/x", "详见维保平台"),  # nothing left: a variable may not be empty
    ("https://ops.example.cn/x。", "详见维保平台"),  # nor punctuation alone
    # What an alert names stays: an address, a version, a file, a process, a class.
    ("10.2.3.4:8080 宕机，v1.2.3 回退，report.docx，node.js 进程", "10.2.3.4:8080 宕机，v1.2.3 回退，report.docx，node.js 进程"),
    ("java.net.SocketException，System.IO.IOException，ASP.NET 应用池停止",
     "java.net.SocketException，System.IO.IOException，ASP.NET 应用池停止"),
    ("ASP.NET应用池停止，Socket.IO断开，db01.dev 宕机", "ASP.NET应用池停止，Socket.IO断开，db01.dev 宕机"),
])
def test_a_link_in_the_subject_is_left_out_with_or_without_its_scheme(subject, sent):
    from weibao.notifications.channels.base import ChannelConfig

    assert templated.fit(subject, ChannelConfig(options={"param_limit": 100})) == sent


def test_words_aliyun_refuses_are_sent_again_plainly_and_a_bad_number_fails_at_once(
        contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options=OPTIONS)
    receiver.script = [(200, {"Code": "isv.BLACK_KEY_CONTROL_LIMIT", "Message": "模板变量中存在黑名单关键字"}),
                       (200, {"Code": "OK", "BizId": "9002^0"})]
    notify(reachable("13900007777"), subject="P1 统一身份认证异常 某敏感词", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    first, second = (json.loads(_form(r)["TemplateParam"])["content"] for r in receiver.requests)
    assert first.startswith("P1 统一身份认证异常") and second == templated.NOTHING_LEFT
    assert sms.status == Delivery.Status.SENT and sms.attempts == 1
    assert "isv.BLACK_KEY_CONTROL_LIMIT" in sms.provider_response and templated.NOTHING_LEFT in sms.provider_response

    receiver.requests.clear()
    receiver.script = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})]
    notify(reachable("13900008888"), subject="P1 告警", contract=contract, urgency="high")
    bad = Delivery.objects.get(channel="sms", address="13900008888")
    # No retry would pass it: failed now, for the PM's delivery page, after one request.
    assert (bad.status, bad.attempts) == ("failed", 1) and "isv.MOBILE_NUMBER_ILLEGAL" in bad.last_error
    assert len(receiver.requests) == 1


def test_plain_words_refused_too_are_a_failure_kept_for_retry(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options=OPTIONS)
    receiver.script = [(200, {"Code": "isv.PARAM_NOT_SUPPORT_URL", "Message": "不支持url为变量"})] * 2
    notify(reachable("13900007777"), subject="P1 告警 a.b", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert len(receiver.requests) == 2  # the subject, then the plain wording, then no more
    assert (sms.status, sms.attempts) == ("pending", 1) and "isv.PARAM_NOT_SUPPORT_URL" in sms.last_error


def test_the_plain_wording_keeps_to_the_channels_limit_and_an_odd_code_is_a_plain_failure(
        contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "ali-secret", options={**OPTIONS, "param_limit": 4})
    receiver.script = [(200, {"Code": "isv.PARAM_LENGTH_LIMIT"}), (200, {"Code": "OK", "BizId": "1^0"})]
    notify(reachable("13900007777"), subject="P1 统一身份认证异常", contract=contract, urgency="high")
    second = json.loads(_form(receiver.requests[1])["TemplateParam"])["content"]
    assert len(second) == 4 and second.startswith("详见")

    receiver.requests.clear()
    receiver.script = [(200, {"Code": ["isv.MOBILE_NUMBER_ILLEGAL"]})]
    notify(reachable("13900008888"), subject="P1 告警", contract=contract, urgency="high")
    odd = Delivery.objects.get(channel="sms", address="13900008888")
    assert (odd.status, odd.attempts) == ("pending", 1) and "aliyun Code=" in odd.last_error
