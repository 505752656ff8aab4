"""SMS and voice calls through a pluggable gateway.

The interface (``Gateway``) has two methods; a provider's adapter is a small subclass
registered in ``GATEWAYS`` under the name a channel's ``options["provider"]`` gives:

    class SomeProviderGateway(Gateway):
        def send_sms(self, mobile, segment, key, config): ...   # one part, one request
        def call(self, mobile, text, key, config): ...           # a text-to-speech call

``aliyun.py`` and ``tencent.py`` are two (registered as "aliyun" and "tencent" in
``channels/__init__.py``).

Each method sends one thing and returns the provider's answer (kept in the delivery log),
or raises ``SendFailed``. Long SMS text is cut by ``segments`` into parts of at most 70
characters (one GSM-7/UCS-2 segment of Chinese text), sent one request each; a retry goes
on from the first part not yet accepted, so no part is sent twice.

``GenericHttpGateway`` speaks to any HTTP API described by templates in the channel's
options (``${mobile}``, ``${text}``, ``${id}``, ``${secret}``, JSON-escaped):

    {"sms_body": "{\"to\": \"${mobile}\", \"text\": \"${text}\", \"id\": \"${id}\"}",
     "voice_url": "https://gw.example.cn/tts", "voice_body": "...",
     "headers": {"Authorization": "Bearer ${secret}"},
     "ok_field": "code", "ok_value": "0"}

and sends ``Idempotency-Key: <id>`` as well, for gateways that honour it.
"""

from __future__ import annotations

import json
import logging
from string import Template

from weibao.notifications.channels.base import (
    ChannelAdapter,
    ChannelConfig,
    HttpAnswer,
    HttpRequest,
    Message,
    SendFailed,
    http_send,
)

log = logging.getLogger(__name__)
SEGMENT = 70
DEFAULT_SMS_BODY = '{"mobile": "${mobile}", "content": "${text}", "request_id": "${id}"}'
DEFAULT_VOICE_BODY = '{"mobile": "${mobile}", "tts": "${text}", "request_id": "${id}", "type": "voice"}'


def segments(text: str, size: int = SEGMENT) -> list[str]:
    """``text`` in parts of at most ``size`` characters; numbered "(1/3)" when more than one."""
    text = text.strip()
    if len(text) <= size:
        return [text]
    room = size - 7  # "(nn/nn)" fits for up to 99 parts
    parts = [text[i:i + room] for i in range(0, len(text), room)]
    return [f"{part}({n}/{len(parts)})" for n, part in enumerate(parts, 1)]


class Gateway:
    """A provider of SMS and text-to-speech calls. ``sms`` and ``voice`` turn a message into
    requests: by default the text in 70-character parts through ``send_sms`` and the whole
    text through ``call``; a provider that sends approved templates instead overrides them."""

    @classmethod
    def endpoint_problem(cls, url: str) -> str | None:
        """What makes ``url`` unusable as this provider's endpoint (said when the channel is
        saved, not at the first send), or None."""
        return None

    def send_sms(self, mobile: str, segment: str, key: str, config: ChannelConfig) -> str:
        raise NotImplementedError

    def call(self, mobile: str, text: str, key: str, config: ChannelConfig) -> str:
        raise NotImplementedError

    def sms(self, message: Message, config: ChannelConfig) -> str:
        parts = segments(message.text)
        answers = []
        for index in range(message.part, len(parts)):
            # One key per part: the gateway may drop a repeat of a part it already took.
            key = message.idempotency_key if len(parts) == 1 else f"{message.idempotency_key}-{index + 1}"
            try:
                answers.append(self.send_sms(message.address, parts[index], key, config))
            except SendFailed as exc:
                exc.parts_sent = index
                raise
            except Exception as exc:  # noqa: BLE001 - parts before this one went out: never again
                log.exception("gateway %s: error on SMS part %s", type(self).__name__, index + 1)
                raise SendFailed(f"{type(exc).__name__}: {exc}", parts_sent=index) from exc
        return "\n".join(answers)

    def voice(self, message: Message, config: ChannelConfig) -> str:
        return self.call(message.address, message.text, message.idempotency_key, config)


def _escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


class GenericHttpGateway(Gateway):
    def request(self, url: str, template: str, mobile: str, text: str, key: str, config: ChannelConfig) -> HttpRequest:
        values = {"mobile": _escape(mobile), "text": _escape(text), "id": _escape(key), "secret": _escape(config.secret)}
        body = Template(template).safe_substitute(values).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
        for name, value in (config.options.get("headers") or {}).items():
            headers[str(name)] = Template(str(value)).safe_substitute(secret=config.secret)
        return HttpRequest(url, body, headers)

    def judge(self, answer: HttpAnswer, config: ChannelConfig) -> str:
        if not 200 <= answer.status < 300:
            raise SendFailed(f"HTTP {answer.status}", answer=answer.log(), rate_limited=answer.status == 429)
        ok_field = config.options.get("ok_field")
        if ok_field:
            got = answer.json().get(ok_field)
            if str(got) != str(config.options.get("ok_value", "0")):
                raise SendFailed(f"{ok_field}={got}", answer=answer.log())
        return answer.log()

    def send_sms(self, mobile, segment, key, config):
        template = config.options.get("sms_body") or DEFAULT_SMS_BODY
        return self.judge(http_send(self.request(config.endpoint, template, mobile, segment, key, config)), config)

    def call(self, mobile, text, key, config):
        url = config.options.get("voice_url") or config.endpoint
        template = config.options.get("voice_body") or DEFAULT_VOICE_BODY
        return self.judge(http_send(self.request(url, template, mobile, text, key, config)), config)


GATEWAYS: dict[str, type[Gateway]] = {"generic": GenericHttpGateway}


def gateway_for(config: ChannelConfig) -> Gateway:
    name = config.options.get("provider") or "generic"
    if not isinstance(name, str) or name not in GATEWAYS:
        raise SendFailed(f"unknown gateway provider {name!r}")
    return GATEWAYS[name]()


class Sms(ChannelAdapter):
    kind = "sms"

    def send(self, message: Message, config: ChannelConfig) -> str:
        return gateway_for(config).sms(message, config)


class Voice(ChannelAdapter):
    kind = "voice"

    def send(self, message: Message, config: ChannelConfig) -> str:
        return gateway_for(config).voice(message, config)
