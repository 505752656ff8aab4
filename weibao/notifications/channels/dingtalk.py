"""DingTalk custom group robot (钉钉自定义机器人).

Signing ("加签"): ``timestamp`` in milliseconds; ``sign`` = URL-encoded Base64 of
HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"), both added to the webhook URL as
query parameters. Payloads ``text`` and ``markdown``; @ by mobile through ``at.atMobiles``
(markdown also needs ``@<mobile>`` in its text to show the mention). The platform answers
``{"errcode": 0, "errmsg": "ok"}``; errcode 130101 means more than 20 messages a minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from weibao.notifications.channels.base import (
    ChannelAdapter,
    ChannelConfig,
    HttpAnswer,
    HttpRequest,
    Message,
    SendFailed,
    json_body,
    markdown_text,
    plain_text,
)

RATE_LIMITED = {130101}


def sign(timestamp_ms: int, secret: str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class DingTalkRobot(ChannelAdapter):
    kind = "dingtalk"
    default_rate_per_minute = 20

    def build(self, message: Message, config: ChannelConfig, now_ms: int | None = None) -> HttpRequest:
        mobiles = [m for m in message.mentions if m]
        at = " ".join(f"@{m}" for m in mobiles)
        if config.message_format == "markdown":
            payload = {
                "msgtype": "markdown",
                "markdown": {"title": message.subject[:64], "text": markdown_text(message, mentions=at)},
            }
        else:
            payload = {"msgtype": "text", "text": {"content": plain_text(message, mentions=at)}}
        payload["at"] = {"atMobiles": mobiles, "isAtAll": False}
        url = config.endpoint
        if config.secret:
            timestamp = now_ms if now_ms is not None else int(time.time() * 1000)
            joiner = "&" if "?" in url else "?"
            url = f"{url}{joiner}timestamp={timestamp}&sign={sign(timestamp, config.secret)}"
        return HttpRequest(url, json_body(payload), {"Content-Type": "application/json; charset=utf-8"})

    def judge(self, answer: HttpAnswer) -> None:
        super().judge(answer)
        code = answer.json().get("errcode", -1)
        if code != 0:
            raise SendFailed(f"errcode {code}", answer=answer.log(), rate_limited=code in RATE_LIMITED)
