"""E-mail through Django's configured backend (SMTP in production). The idempotency key
goes in the Message-ID, so a receiving system that de-duplicates by it sees one message."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid

from weibao.notifications.channels.base import ChannelAdapter, ChannelConfig, Message, SendFailed


def body_of(message: Message) -> str:
    lines = [message.text] if message.text else []
    if message.link:
        lines.append(f"查看：{message.link}")
    if message.ack_url:
        lines.append(f"一键确认（无需登录，限一次）：{message.ack_url}")
    return "\n\n".join(lines)


class Email(ChannelAdapter):
    kind = "email"

    def send(self, message: Message, config: ChannelConfig) -> str:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "weibao.local"
        msgid = f"<{message.idempotency_key}@{domain}>" if message.idempotency_key else make_msgid()
        email = EmailMessage(
            message.subject, body_of(message), settings.DEFAULT_FROM_EMAIL, [message.address],
            headers={"Message-ID": msgid, "Auto-Submitted": "auto-generated"},
        )
        try:
            email.send()
        except Exception as exc:  # noqa: BLE001 - any transport error is retried
            raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
        return f"accepted {msgid}"
