"""Aliyun (阿里云) SMS and voice notification calls, a ``Gateway`` of ``gateway.py``.

SMS: dysmsapi ``SendSms``; voice: dyvmsapi ``SingleCallByTts``. Both are RPC-style calls
signed with Aliyun's signature version 1.0 (HMAC-SHA1 over the sorted, percent-encoded
parameters, the key being the AccessKey secret and "&"), posted as a form.

Chinese providers send only approved templates, whose variables may not hold links and
are short (``templated.py``). So one message is one request: the template carries the fixed wording (e.g. "维保通知：${content}，请登录维保处理。"),
its one variable the message's subject, cut to ``param_limit``; the acknowledgement link
stays in the inbox, the e-mail and the robots. The channel's options name them:

    {"provider": "aliyun", "access_key_id": "LTAI…", "sign_name": "某某科技",
     "sms_template": "SMS_123456789", "sms_param": "content",
     "voice_template": "TTS_123456789", "voice_param": "content", "show_number": "0571…",
     "voice_endpoint": "https://dyvmsapi.aliyuncs.com/", "param_limit": 35}

and the channel's secret is the AccessKey secret; its endpoint defaults to
``https://dysmsapi.aliyuncs.com/``. The delivery's idempotency key goes in ``OutId``
(Aliyun returns it in the delivery receipt). Aliyun's API throttle ("Throttling…") waits
a minute without counting as an attempt; its per-number and daily limits
(``isv.BUSINESS_LIMIT_CONTROL``, ``isv.DAY_LIMIT_CONTROL``) are failures that count, so a
message they refuse ends as failed on the delivery page instead of retrying for a day. A
refusal of the variable's words (a blacklisted word, a link its review found) is sent again
at once with the plain wording (``templated.send_or_plain``); a refused number fails at once.
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
    Message,
    SendFailed,
    http_send,
)
from weibao.notifications.channels.gateway import Gateway
from weibao.notifications.channels.templated import NOTHING_LEFT, fit, option, send_or_plain

SMS_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
VOICE_ENDPOINT = "https://dyvmsapi.aliyuncs.com/"
#: Aliyun's API throttle: wait and try again, not held against the delivery.
THROTTLED = ("Throttling", "Throttling.User", "Throttling.Api")
#: Refusals of the variable's words: sent again at once with the plain wording.
REFUSED_WORDS = frozenset({"isv.PARAM_NOT_SUPPORT_URL", "isv.BLACK_KEY_CONTROL_LIMIT", "isv.PARAM_LENGTH_LIMIT",
                           "isv.TEMPLATE_PARAMS_ILLEGAL"})
#: Refusals of the number itself: no retry would pass them, so the delivery fails at once.
REFUSED_NUMBER = frozenset({"isv.MOBILE_NUMBER_ILLEGAL"})


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
    access_key_id = option(config, "access_key_id")
    if not access_key_id or not config.secret:
        raise SendFailed("aliyun: access_key_id and the channel's secret (AccessKey secret) are required")
    params = {
        "AccessKeyId": access_key_id, "Action": action, "Format": "JSON",
        "RegionId": option(config, "region") or "cn-hangzhou",
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
    raise SendFailed(reason, answer=answer.log(), rate_limited=code in THROTTLED or answer.status == 429,
                     code=str(code or ""), final=str(code or "") in REFUSED_NUMBER)


class AliyunGateway(Gateway):
    def sms(self, message: Message, config: ChannelConfig) -> str:
        template, sign_name = option(config, "sms_template"), option(config, "sign_name")
        if not template or not sign_name:
            raise SendFailed("aliyun: sms_template and sign_name are required")
        name = option(config, "sms_param") or "content"

        def send(variable: str) -> str:
            request = signed_request(config.endpoint or SMS_ENDPOINT, "SendSms", "2017-05-25", {
                "PhoneNumbers": message.address, "SignName": sign_name, "TemplateCode": template,
                "TemplateParam": json.dumps({name: variable}, ensure_ascii=False), "OutId": message.idempotency_key,
            }, config)
            return judge(http_send(request))

        return send_or_plain(send, fit(message.subject, config), REFUSED_WORDS, fit(NOTHING_LEFT, config))

    def voice(self, message: Message, config: ChannelConfig) -> str:
        template = option(config, "voice_template")
        if not template:
            raise SendFailed("aliyun: voice_template is required for calls")
        name = option(config, "voice_param") or "content"
        show_number = option(config, "show_number")
        url = option(config, "voice_endpoint") or VOICE_ENDPOINT

        def send(variable: str) -> str:
            fields = {"CalledNumber": message.address, "TtsCode": template,
                      "TtsParam": json.dumps({name: variable}, ensure_ascii=False), "OutId": message.idempotency_key}
            if show_number:
                fields["CalledShowNumber"] = show_number
            return judge(http_send(signed_request(url, "SingleCallByTts", "2017-05-25", fields, config)))

        return send_or_plain(send, fit(message.subject, config), REFUSED_WORDS, fit(NOTHING_LEFT, config))
