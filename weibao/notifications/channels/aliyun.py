"""Aliyun (阿里云) SMS and voice notification calls, a ``Gateway`` of ``gateway.py``.

SMS: dysmsapi ``SendSms``; voice: dyvmsapi ``SingleCallByTts``. Both are RPC-style calls
signed with Aliyun's signature version 1.0 (HMAC-SHA1 over the sorted, percent-encoded
parameters, the key being the AccessKey secret and "&"), posted as a form.

Chinese SMS providers send only approved templates. The channel's options name them:

    {"provider": "aliyun", "access_key_id": "LTAI…", "sign_name": "某某科技",
     "sms_template": "SMS_123456789", "sms_param": "content",
     "voice_template": "TTS_123456789", "voice_param": "content", "show_number": "0571…",
     "voice_endpoint": "https://dyvmsapi.aliyuncs.com/"}

and the channel's secret is the AccessKey secret; its endpoint defaults to
``https://dysmsapi.aliyuncs.com/``. The message goes in the template's one variable
(``sms_param``, e.g. a template "${content}"); each 70-character part is one request, its
idempotency key in ``OutId`` (Aliyun returns it in the delivery receipt).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from urllib.parse import quote

from weibao.core import clock
from weibao.notifications.channels.base import (
    ChannelConfig,
    HttpAnswer,
    HttpRequest,
    SendFailed,
    http_send,
)
from weibao.notifications.channels.gateway import Gateway

SMS_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
VOICE_ENDPOINT = "https://dyvmsapi.aliyuncs.com/"
#: Codes that mean "too many for now": kept and retried later, as a robot's 429 is.
THROTTLED = ("isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "isv.DAY_LIMIT_CONTROL")


def percent_encode(value: str) -> str:
    """RFC 3986, as Aliyun's signature requires: unreserved characters kept, space as %20."""
    return quote(str(value), safe="-_.~")


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature 1.0: HMAC-SHA1 of METHOD&%2F&encoded(sorted k=v&…), Base64."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_request(url: str, action: str, version: str, fields: dict[str, str], config: ChannelConfig) -> HttpRequest:
    access_key_id = config.options.get("access_key_id") or ""
    if not access_key_id or not config.secret:
        raise SendFailed("aliyun: access_key_id and the channel's secret (AccessKey secret) are required")
    params = {
        "AccessKeyId": access_key_id, "Action": action, "Format": "JSON",
        "RegionId": config.options.get("region") or "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
        "Timestamp": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": version, **fields,
    }
    params["Signature"] = signature(params, config.secret)
    body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items()).encode()
    return HttpRequest(url, body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


def judge(answer: HttpAnswer) -> str:
    """``{"Code": "OK", …}`` is accepted; anything else is a failure to retry (a throttle
    code marks it rate-limited)."""
    code = answer.json().get("Code") if answer.body else None
    if 200 <= answer.status < 300 and code == "OK":
        return answer.log()
    reason = f"aliyun Code={code}" if code else f"HTTP {answer.status}"
    raise SendFailed(reason, answer=answer.log(), rate_limited=code in THROTTLED or answer.status == 429)


class AliyunGateway(Gateway):
    def send_sms(self, mobile, segment, key, config):
        template = config.options.get("sms_template") or ""
        sign_name = config.options.get("sign_name") or ""
        if not template or not sign_name:
            raise SendFailed("aliyun: sms_template and sign_name are required")
        param = json.dumps({config.options.get("sms_param") or "content": segment}, ensure_ascii=False)
        request = signed_request(config.endpoint or SMS_ENDPOINT, "SendSms", "2017-05-25", {
            "PhoneNumbers": mobile, "SignName": sign_name, "TemplateCode": template, "TemplateParam": param,
            "OutId": key,
        }, config)
        return judge(http_send(request))

    def call(self, mobile, text, key, config):
        template = config.options.get("voice_template") or ""
        if not template:
            raise SendFailed("aliyun: voice_template is required for calls")
        fields = {"CalledNumber": mobile, "TtsCode": template, "OutId": key,
                  "TtsParam": json.dumps({config.options.get("voice_param") or "content": text}, ensure_ascii=False)}
        if config.options.get("show_number"):
            fields["CalledShowNumber"] = config.options["show_number"]
        url = config.options.get("voice_endpoint") or VOICE_ENDPOINT
        return judge(http_send(signed_request(url, "SingleCallByTts", "2017-05-25", fields, config)))
