"""A generic JSON webhook, signed so the receiver can tell it is Weibao's and unaltered.

Request: POST, ``Content-Type: application/json``, headers
``X-Weibao-Timestamp`` (Unix seconds), ``X-Weibao-Signature`` = ``sha256=`` + hex
HMAC-SHA256(key=secret, msg=timestamp + "." + raw body), ``Idempotency-Key`` (the same on
every retry of one delivery: a receiver that remembers it handles a retry once). Any 2xx
is success; other answers and timeouts are retried. Verification recipe: ``verify`` below
and docs/notifications/webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from weibao.notifications.channels.base import (
    ChannelAdapter,
    ChannelConfig,
    HttpRequest,
    Message,
    json_body,
)

TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, received_signature: str, now: float | None = None) -> bool:
    """The receiver's check: a fresh timestamp and the same signature (constant-time)."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), received_signature or "")


class Webhook(ChannelAdapter):
    kind = "webhook"

    def build(self, message: Message, config: ChannelConfig, now_s: int | None = None) -> HttpRequest:
        body = json_body({
            "id": message.idempotency_key,
            "subject": message.subject,
            "text": message.text,
            "urgency": message.urgency,
            "link": message.link,
            "ack_url": message.ack_url,
            "mentions": list(message.mentions),
        })
        timestamp = str(now_s if now_s is not None else int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Weibao-Webhook/1",
            "X-Weibao-Timestamp": timestamp,
            "Idempotency-Key": message.idempotency_key,
        }
        if config.secret:
            headers["X-Weibao-Signature"] = signature(config.secret, timestamp, body)
        return HttpRequest(config.endpoint, body, headers)
