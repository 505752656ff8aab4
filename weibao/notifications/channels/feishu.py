"""Feishu / Lark custom bot (飞书自定义机器人): POST JSON to ``.../bot/v2/hook/<id>``.

Signing ("签名校验") goes in the body: ``timestamp`` in seconds and ``sign`` = Base64 of
HMAC-SHA256 with key "{timestamp}\\n{secret}" over an empty message. Payloads ``text``
(``content.text``) and ``interactive`` (a message card). A custom bot can @ only by
open_id, not by mobile, so mentions are written as names. Answer ``{"code": 0, ...}``
(older hooks: ``StatusCode`` 0); 9499 / 11232 mean too many requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from weibao.notifications.channels.base import (
    ChannelAdapter,
    ChannelConfig,
    HttpAnswer,
    HttpRequest,
    Message,
    SendFailed,
    json_body,
    plain_text,
)

RATE_LIMITED = {9499, 11232}


def sign(timestamp_s: int, secret: str) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def card(message: Message, mentions: str) -> dict:
    body = message.text if message.text != message.subject else ""
    if mentions:
        body = f"{body}\n{mentions}".strip()
    elements: list[dict] = []
    if body:
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": body}})
    actions = []
    if message.ack_url:
        actions.append({"tag": "button", "text": {"tag": "plain_text", "content": "一键确认"},
                        "type": "primary", "url": message.ack_url})
    if message.link:
        actions.append({"tag": "button", "text": {"tag": "plain_text", "content": "查看详情"},
                        "type": "default", "url": message.link})
    if actions:
        elements.append({"tag": "action", "actions": actions})
    template = {"critical": "red", "high": "orange"}.get(message.urgency, "blue")
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": message.subject}, "template": template},
        "elements": elements,
    }


class FeishuBot(ChannelAdapter):
    kind = "feishu"
    default_rate_per_minute = 100

    def build(self, message: Message, config: ChannelConfig, now_s: int | None = None) -> HttpRequest:
        mentions = " ".join(f"@{name}" for name in message.mentions if name)
        if config.message_format == "markdown":
            payload: dict = {"msg_type": "interactive", "card": card(message, mentions)}
        else:
            payload = {"msg_type": "text", "content": {"text": plain_text(message, mentions=mentions)}}
        if config.secret:
            timestamp = now_s if now_s is not None else int(time.time())
            payload = {"timestamp": str(timestamp), "sign": sign(timestamp, config.secret), **payload}
        return HttpRequest(config.endpoint, json_body(payload), {"Content-Type": "application/json; charset=utf-8"})

    def judge(self, answer: HttpAnswer) -> None:
        super().judge(answer)
        data = answer.json()
        code = data.get("code", data.get("StatusCode", -1))
        if code != 0:
            raise SendFailed(f"code {code}", answer=answer.log(), rate_limited=code in RATE_LIMITED)
