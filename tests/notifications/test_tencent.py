"""The Tencent Cloud gateway: its TC3-HMAC-SHA256 signature against the one Tencent's own SDK
computes for the same request (no published example has an unmasked key), and SMS and voice
calls through a local receiver that checks each request as Tencent would (the signature
recomputed from the body and headers, the template and its one variable, SessionContext)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from weibao.notifications import notify
from weibao.notifications.channels import templated, tencent
from weibao.notifications.models import Delivery, NotificationChannel

pytestmark = pytest.mark.django_db(transaction=True)
Kind = NotificationChannel.Kind
OPTIONS = {"provider": "tencent", "secret_id": "AKID-test", "sms_app_id": "1400006666", "sign_name": "石龙区政务服务",
           "sms_template": "1110", "voice_app_id": "1400006667", "voice_template": "4356", "param_limit": 35}
SENT = (200, {"Response": {"SendStatusSet": [{"SerialNo": "5000:1045710669157053657849499619", "Code": "Ok",
                                              "Message": "send success"}], "RequestId": "a0aabda6"}})


def _headers(request) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _signed_by(request, secret_key: str) -> bool:
    """What Tencent does with a request: recompute the signature from the body and headers as
    received (the signing itself is the SDK's, the test below)."""
    headers = _headers(request)
    credential = headers["authorization"].split("Credential=")[1].split(",")[0]
    secret_id, _day, service, _ = credential.split("/")
    expected = tencent.authorization(
        secret_id=secret_id, secret_key=secret_key, service=service, host=headers["host"], body=request.body,
        timestamp=int(headers["x-tc-timestamp"]), content_type=headers["content-type"], path=request.path)
    return headers["authorization"] == expected


@pytest.mark.parametrize(("service", "version", "action", "params"), [
    ("sms", "2021-01-11", "SendSms", {
        "PhoneNumberSet": ["+8613900007777"], "SmsSdkAppId": "1400006666", "SignName": "腾讯云",
        "TemplateId": "1110", "TemplateParamSet": ["一级事件：政务外网中断"], "SessionContext": "d-1"}),
    ("vms", "2020-09-02", "SendTtsVoice", {
        "TemplateId": "4356", "CalledNumber": "+8613900006666", "VoiceSdkAppid": "1400006667", "PlayTimes": 2}),
])
def test_the_signature_is_the_one_tencents_sdk_computes(receiver, service, version, action, params):
    from tencentcloud.common import credential
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    receiver.script = [SENT]
    endpoint = receiver.url("/").split("://")[1].rstrip("/")
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint))
    client = CommonClient(service, version, credential.Credential("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                                                                  "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"),
                          "ap-guangzhou", profile=profile)
    client.call_json(action, params)
    [request] = receiver.requests
    headers = _headers(request)
    assert headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/")
    # The SDK's request, signed again by ours: the same header, byte for byte.
    assert headers["authorization"] == tencent.authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service=service, host=endpoint, body=request.body, timestamp=int(headers["x-tc-timestamp"]),
        content_type=headers["content-type"])
    assert not _signed_by(request, "another-key")


def test_one_sms_through_the_approved_template_with_the_subject_in_its_variable(
        contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "tc-secret", options=OPTIONS)
    receiver.script = [SENT]
    subject = "P1 一网通办平台统一身份认证异常，全区窗口无法登录，企业开办和不动产登记受影响 https://ops.example.cn/x 请立即处理"
    notify(reachable("13900007777"), subject=subject, contract=contract, urgency="high", ack_url="/esc/ack/1/token")
    sms = Delivery.objects.get(channel="sms")
    [request] = receiver.requests  # one message, one request: the template has the wording
    headers = _headers(request)
    assert (headers["x-tc-action"], headers["x-tc-version"], headers["x-tc-region"]) == (
        "SendSms", "2021-01-11", "ap-guangzhou")
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert "/sms/tc3_request" in headers["authorization"] and _signed_by(request, "tc-secret")
    body = json.loads(request.body)
    assert (body["PhoneNumberSet"], body["SmsSdkAppId"], body["SignName"], body["TemplateId"],
            body["SessionContext"]) == (["+8613900007777"], "1400006666", "石龙区政务服务", "1110",
                                        sms.idempotency_key)
    [content] = body["TemplateParamSet"]
    assert "http" not in content and "/esc/ack/" not in content
    assert len(content) == 35 and content.endswith("…") and content.startswith("P1 一网通办平台统一身份认证异常")
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT and "5000:1045710669157053657849499619" in sms.provider_response
    assert "tc-secret" not in sms.provider_response + sms.last_error


def test_a_throttle_waits_uncounted_and_a_per_number_limit_counts(contract, reachable, receiver, make_channel, clock):
    from weibao.notifications.services import MAX_ATTEMPTS, retry_due

    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "tc-secret", options=OPTIONS)
    receiver.script = [(200, {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "请求的次数超过了频率限制。"},
                                           "RequestId": "r1"}})]
    notify(reachable("13900007777"), subject="P1 告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("pending", 0) and "RequestLimitExceeded" in sms.last_error
    limited = {"Response": {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberDailyLimit",
                                               "Message": "单个手机号日下发短信条数超过设定的上限"}], "RequestId": "r2"}}
    receiver.script = [(200, limited)] * 20
    for _ in range(MAX_ATTEMPTS + 2):
        clock.advance(timedelta(hours=1))
        retry_due()
    sms.refresh_from_db()
    # Refused all day: it ends as failed, for the PM's delivery page, not retried for ever.
    assert (sms.status, sms.attempts) == ("failed", MAX_ATTEMPTS)
    assert "LimitExceeded.PhoneNumberDailyLimit" in sms.last_error
    assert len(receiver.requests) == 1 + MAX_ATTEMPTS


def test_a_refused_signature_is_a_failure_kept_for_retry(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "tc-secret", options=OPTIONS)
    receiver.script = [(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "签名错误"},
                                           "RequestId": "r3"}})]
    notify(reachable(), subject="P1 告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == ("pending", 1) and "AuthFailure.SignatureFailure" in sms.last_error


def test_a_voice_call_after_five_minutes_unacknowledged(contract, reachable, receiver, make_channel, clock):
    from weibao.notifications.tasks import retry_pending_deliveries

    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"), "tc-secret",
                 options=OPTIONS | {"voice_endpoint": receiver.url("/tts"), "play_times": 3})
    receiver.script = [SENT, (200, {"Response": {"SendStatus": {"CallId": "12582bce-403c", "SessionContext": "x"},
                                                 "RequestId": "r4"}})]
    notify(reachable("13900006666"), subject="一级事件：政务外网中断", contract=contract, urgency="critical",
           dedup_key="esc:7:step:1")
    clock.advance(timedelta(minutes=5))
    retry_pending_deliveries.call_local()
    assert [r.path for r in receiver.requests] == ["/sms", "/tts"]
    call, headers = json.loads(receiver.requests[1].body), _headers(receiver.requests[1])
    assert (headers["x-tc-action"], headers["x-tc-version"]) == ("SendTtsVoice", "2020-09-02")
    assert "/vms/tc3_request" in headers["authorization"] and _signed_by(receiver.requests[1], "tc-secret")
    voice = Delivery.objects.get(channel="voice")
    assert call == {"TemplateId": "4356", "CalledNumber": "+8613900006666", "VoiceSdkAppid": "1400006667",
                    "TemplateParamSet": ["一级事件：政务外网中断"], "PlayTimes": 3,
                    "SessionContext": voice.idempotency_key}
    assert voice.status == Delivery.Status.SENT and "12582bce-403c" in voice.provider_response


def test_without_a_limit_an_sms_variable_holds_tencents_six_characters(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "tc-secret",
                 options={k: v for k, v in OPTIONS.items() if k != "param_limit"})
    receiver.script = [SENT]
    notify(reachable(), subject="一级事件：政务外网中断", contract=contract, urgency="high")
    assert json.loads(receiver.requests[0].body)["TemplateParamSet"] == ["一级事件：…"]


def test_a_gateway_missing_its_app_is_a_failure_to_see(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "tc-secret",
                 options={"provider": "tencent", "secret_id": "AKID-test"})
    notify(reachable(), subject="P1 告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert receiver.requests == [] and "sms_app_id, sms_template and sign_name are required" in sms.last_error


@pytest.mark.parametrize(("endpoint", "host"), [
    ("https://SMS.TencentCloudAPI.com/", "sms.tencentcloudapi.com"),
    ("https://sms.tencentcloudapi.com:443/", "sms.tencentcloudapi.com"),
    ("http://127.0.0.1:8080/", "127.0.0.1:8080"),
    ("https://[::1]:8443/", "[::1]:8443"),
])
def test_the_host_sent_is_the_host_signed(endpoint, host):
    from weibao.notifications.channels.base import ChannelConfig

    config = ChannelConfig(endpoint=endpoint, secret="tc-secret", options=OPTIONS)
    request = tencent.signed_request(endpoint, "sms", "SendSms", "2021-01-11", {"x": 1}, config)
    assert request.headers["Host"] == host
    timestamp = int(request.headers["X-TC-Timestamp"])
    assert request.headers["Authorization"] == tencent.authorization(
        secret_id="AKID-test", secret_key="tc-secret", service="sms", host=host, body=request.body,
        timestamp=timestamp)


def test_words_tencent_refuses_are_sent_again_plainly_and_a_bad_number_fails_at_once(
        contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/"), "tc-secret", options={**OPTIONS, "param_limit": 20})
    refused = {"Response": {"SendStatusSet": [{"Code": "FailedOperation.ContainSensitiveWord",
                                               "Message": "短信内容中含有敏感词"}], "RequestId": "r5"}}
    receiver.script = [(200, refused), SENT]
    notify(reachable("13900007777"), subject="P1 统一身份认证异常", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    first, second = (r.json()["TemplateParamSet"][0] for r in receiver.requests)
    assert first.startswith("P1 统一身份认证异常") and second == templated.NOTHING_LEFT
    assert sms.status == Delivery.Status.SENT and "FailedOperation.ContainSensitiveWord" in sms.provider_response

    receiver.requests.clear()
    bad_number = {"Response": {"SendStatusSet": [{"Code": "InvalidParameterValue.IncorrectPhoneNumber",
                                                  "Message": "手机号格式错误"}], "RequestId": "r6"}}
    receiver.script = [(200, bad_number)]
    notify(reachable("13900008888"), subject="P1 告警", contract=contract, urgency="high")
    bad = Delivery.objects.get(channel="sms", address="13900008888")
    assert (bad.status, bad.attempts) == ("failed", 1) and "IncorrectPhoneNumber" in bad.last_error
    assert len(receiver.requests) == 1
