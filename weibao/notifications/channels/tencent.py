"""Tencent Cloud (腾讯云) SMS and voice notifications, a ``Gateway`` of ``gateway.py``.

SMS: ``SendSms`` (sms, 2021-01-11); voice: ``SendTtsVoice`` (vms, 2020-09-02). Both are
API 3.0 calls: a JSON body posted to the service's host, signed with TC3-HMAC-SHA256 (a
canonical request over the content type, the host and the body's SHA-256; a key derived
from the SecretKey, the day and the service). As with Aliyun, one message is one request
through an approved template, the subject (without links) in its one variable
(``templated.py``): at most ``param_limit`` characters in an SMS (Tencent allows 6 in a
notification template's variable unless longer ones were approved for the account: set
the approved length), ``voice_param_limit`` in a call (default 100; 350 in all). The
channel's options:

    {"provider": "tencent", "secret_id": "AKID…", "sms_app_id": "1400006666",
     "sign_name": "某某科技", "sms_template": "1110", "voice_app_id": "1400006667",
     "voice_template": "4356", "play_times": 2, "region": "ap-guangzhou",
     "voice_endpoint": "https://vms.tencentcloudapi.com/", "param_limit": 20,
     "voice_param_limit": 100}

and the channel's secret is the SecretKey; its endpoint defaults to
``https://sms.tencentcloudapi.com/``. The delivery's idempotency key goes in
``SessionContext`` (returned in the delivery receipt). The API throttle
(``RequestLimitExceeded``) waits without counting as an attempt; the per-number limits
(``LimitExceeded.PhoneNumber…``) are failures that count. A refusal of the variable's words
(a sensitive word, a link, a length not approved) is sent again at once with the plain
wording (``templated.send_or_plain``); a refused number fails at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import urlsplit

from weibao.core import clock
from weibao.notifications.channels.base import (
    ChannelConfig,
    HttpAnswer,
    HttpRequest,
    Message,
    SendFailed,
    http_send,
)
from weibao.notifications.channels.gateway import Gateway
from weibao.notifications.channels.templated import NOTHING_LEFT, fit, option, send_or_plain

#: Refusals of the variable's words: sent again at once with the plain wording.
REFUSED_WORDS = frozenset({"InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
                           "InvalidParameterValue.TemplateParameterLengthLimit",
                           "FailedOperation.ContainSensitiveWord"})
#: Refusals of the number itself (malformed; the person blocked the account's messages):
#: no retry would pass them, so the delivery fails at once.
REFUSED_NUMBER = frozenset({"InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist"})
SMS_PARAM_LIMIT = 6
VOICE_PARAM_LIMIT = 100
SMS_ENDPOINT = "https://sms.tencentcloudapi.com/"
VOICE_ENDPOINT = "https://vms.tencentcloudapi.com/"
CONTENT_TYPE = "application/json; charset=utf-8"
ALGORITHM = "TC3-HMAC-SHA256"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(*, secret_id: str, secret_key: str, service: str, host: str, body: bytes, timestamp: int,
                  content_type: str = CONTENT_TYPE, path: str = "/") -> str:
    """The ``Authorization`` header of a POST (Tencent Cloud API 3.0, TC3-HMAC-SHA256)."""
    day = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(("POST", path, "", f"content-type:{content_type}\nhost:{host}\n", "content-type;host",
                           hashlib.sha256(body).hexdigest()))
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join((ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()))
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


def signed_request(url: str, service: str, action: str, version: str, fields: dict, config: ChannelConfig) -> HttpRequest:
    secret_id = option(config, "secret_id")
    if not secret_id or not config.secret:
        raise SendFailed("tencent: secret_id and the channel's secret (SecretKey) are required")
    body = json.dumps(fields, ensure_ascii=False).encode()
    problem = TencentGateway.endpoint_problem(url)
    if problem:
        raise SendFailed(f"tencent: {problem}")
    split = urlsplit(url)
    # The Host sent is the one signed: lower case, the port only when not the scheme's own.
    default_port = {"http": 80, "https": 443}.get(split.scheme.lower())
    port = split.port
    host = split.hostname or ""
    host = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
    host += f":{port}" if port and port != default_port else ""
    timestamp = int(clock.now().timestamp())
    return HttpRequest(url, body, {
        "Host": host, "Content-Type": CONTENT_TYPE, "X-TC-Action": action, "X-TC-Version": version,
        "X-TC-Timestamp": str(timestamp), "X-TC-Region": option(config, "region") or "ap-guangzhou",
        "Authorization": authorization(secret_id=secret_id, secret_key=config.secret, service=service, host=host,
                                       body=body, timestamp=timestamp, path=split.path or "/"),
    })


def e164(mobile: str) -> str:
    """A mainland mobile as Tencent wants it: "+8613900007777"."""
    return mobile if mobile.startswith("+") else f"+86{mobile}"


def judge(answer: HttpAnswer, accepted) -> str:
    """The answer's ``Response``: accepted by ``accepted(response)`` or a failure to retry
    (``RequestLimitExceeded`` marks it rate-limited, not counted)."""
    response = answer.json().get("Response")
    response = response if isinstance(response, dict) else {}
    error = response.get("Error") if isinstance(response.get("Error"), dict) else {}
    code = str(error.get("Code") or "")
    if 200 <= answer.status < 300 and not code:
        refused = accepted(response)
        if refused is None:
            return answer.log()
        code = refused
    reason = f"tencent Code={code}" if code else f"HTTP {answer.status}"
    raise SendFailed(reason, answer=answer.log(),
                     rate_limited=code.startswith("RequestLimitExceeded") or answer.status == 429,
                     code=code, final=code in REFUSED_NUMBER)


def _sms_sent(response: dict) -> str | None:
    """None when the one number was accepted, else its code (e.g. a per-number limit)."""
    statuses = response.get("SendStatusSet")
    status = statuses[0] if isinstance(statuses, list) and statuses and isinstance(statuses[0], dict) else {}
    code = str(status.get("Code") or "no SendStatusSet")
    return None if code == "Ok" else code


def _call_placed(response: dict) -> str | None:
    status = response.get("SendStatus")
    return None if isinstance(status, dict) and status.get("CallId") else "no CallId"


class TencentGateway(Gateway):
    @classmethod
    def endpoint_problem(cls, url: str) -> str | None:
        # The signature covers the path and an empty query: a query string would be sent
        # unsigned and refused.
        split = urlsplit(url)
        if split.query:
            return "an endpoint has no query string / 腾讯云接口地址不能带查询参数"
        try:
            split.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            return "the endpoint's port is not a number / 接口地址的端口不是数字"
        return None

    def sms(self, message: Message, config: ChannelConfig) -> str:
        app_id, template, sign_name = (option(config, name) for name in ("sms_app_id", "sms_template", "sign_name"))
        if not app_id or not template or not sign_name:
            raise SendFailed("tencent: sms_app_id, sms_template and sign_name are required")

        def send(variable: str) -> str:
            request = signed_request(config.endpoint or SMS_ENDPOINT, "sms", "SendSms", "2021-01-11", {
                "PhoneNumberSet": [e164(message.address)], "SmsSdkAppId": app_id, "SignName": sign_name,
                "TemplateId": template, "TemplateParamSet": [variable], "SessionContext": message.idempotency_key,
            }, config)
            return judge(http_send(request), _sms_sent)

        return send_or_plain(send, fit(message.subject, config, default=SMS_PARAM_LIMIT), REFUSED_WORDS,
                             fit(NOTHING_LEFT, config, default=SMS_PARAM_LIMIT))

    def voice(self, message: Message, config: ChannelConfig) -> str:
        app_id, template = option(config, "voice_app_id"), option(config, "voice_template")
        if not app_id or not template:
            raise SendFailed("tencent: voice_app_id and voice_template are required for calls")
        try:
            play_times = min(3, max(1, int(option(config, "play_times", "2"))))
        except ValueError as exc:
            raise SendFailed("tencent: option play_times must be a number") from exc
        url = option(config, "voice_endpoint") or VOICE_ENDPOINT

        def send(variable: str) -> str:
            request = signed_request(url, "vms", "SendTtsVoice", "2020-09-02", {
                "TemplateId": template, "CalledNumber": e164(message.address), "VoiceSdkAppid": app_id,
                "TemplateParamSet": [variable], "PlayTimes": play_times, "SessionContext": message.idempotency_key,
            }, config)
            return judge(http_send(request), _call_placed)

        def fitted(text: str) -> str:
            return fit(text, config, limit_option="voice_param_limit", default=VOICE_PARAM_LIMIT)

        return send_or_plain(send, fitted(message.subject), REFUSED_WORDS, fitted(NOTHING_LEFT))
