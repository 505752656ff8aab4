"""The one interface every channel adapter implements, and the HTTP transport they share.

An adapter turns a stored message (``Message``) and its channel's configuration
(``ChannelConfig``) into what the platform documents, sends it, and reads the platform's
answer: ``send`` returns the answer to keep in the log, or raises ``SendFailed`` (retried
with backoff; ``rate_limited`` ones come back after a minute without counting as failures).
Adapters hold no state and never touch the database: services.py claims, sends, marks.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Message:
    """What is sent, already rendered in Chinese and stored on the delivery."""

    subject: str
    text: str
    address: str = ""  # an e-mail address or a mobile number; empty for group robots
    link: str = ""  # absolute
    ack_url: str = ""  # absolute, signed by the caller
    mentions: tuple[str, ...] = ()  # mobiles (DingTalk, WeCom) or names (Feishu) to @
    idempotency_key: str = ""
    urgency: str = "normal"
    part: int = 0  # SMS: index of the first segment still to send


@dataclass(frozen=True)
class ChannelConfig:
    """A NotificationChannel with its secrets revealed, for one send."""

    endpoint: str = ""
    secret: str = ""
    message_format: str = "text"
    options: dict = field(default_factory=dict)


class SendFailed(Exception):
    """The platform refused or could not be reached; ``answer`` is what it said, ``code``
    its error code. ``final``: the same message to the same address would be refused again
    (a number the provider says does not exist), so it fails now instead of retrying."""

    def __init__(self, message: str, *, answer: str = "", rate_limited: bool = False, parts_sent: int | None = None,
                 code: str = "", final: bool = False):
        super().__init__(message)
        self.answer = answer
        self.rate_limited = rate_limited
        self.parts_sent = parts_sent
        self.code = code
        self.final = final


@dataclass(frozen=True)
class HttpRequest:
    url: str
    body: bytes
    headers: dict[str, str]
    method: str = "POST"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: str

    def json(self) -> dict:
        try:
            value = json.loads(self.body or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def log(self) -> str:
        return f"HTTP {self.status} {self.body[:1500]}"


def host_allowed(url: str) -> bool:
    """Whether ``url`` is http(s) to a host the operator allows (WEIBAO_NOTIFY_HOSTS)."""
    split = urllib.parse.urlsplit(url)
    if split.scheme.lower() not in ("http", "https") or not split.hostname:
        return False
    host = split.hostname.lower()
    for allowed in getattr(settings, "WEIBAO_NOTIFY_HOSTS", ["*"]):
        allowed = allowed.strip().lower()
        if allowed == "*" or host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:])):
            return True
    return False


def timeout() -> float:
    return float(getattr(settings, "WEIBAO_NOTIFY_TIMEOUT", 10))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer to judge (a failure), never followed: following it would send the
    request, or read a reply, from a host WEIBAO_NOTIFY_HOSTS does not allow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def http_send(request: HttpRequest) -> HttpAnswer:
    """One HTTP request with the channel timeout; a timeout, a refused connection, a broken
    answer or an unusable address raises SendFailed (the delivery is retried), any HTTP
    answer is returned to be judged."""
    if not host_allowed(request.url):
        raise SendFailed("address not allowed (WEIBAO_NOTIFY_HOSTS) / 地址不在允许范围内")
    try:
        req = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            request.url, data=request.body, headers=request.headers, method=request.method
        )
        with _OPENER.open(req, timeout=timeout()) as response:
            return HttpAnswer(response.status, response.read(65536).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return HttpAnswer(exc.code, exc.read(65536).decode("utf-8", "replace") if exc.fp else "")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendFailed(f"{type(reason).__name__}: {reason}") from exc
    except (http.client.HTTPException, ValueError) as exc:  # IncompleteRead, InvalidURL (a bad port)…
        raise SendFailed(f"{type(exc).__name__}: {exc}") from exc


def json_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ChannelAdapter:
    """One channel. Subclasses set ``kind`` and implement ``send``; HTTP ones build an
    ``HttpRequest`` in ``build`` (what the tests compare with the platform's recipe) and
    judge the answer in ``judge``."""

    kind = ""
    #: the platform's documented limit of messages per minute per robot (0: none)
    default_rate_per_minute = 0

    def send(self, message: Message, config: ChannelConfig) -> str:
        answer = http_send(self.build(message, config))
        self.judge(answer)
        return answer.log()

    def build(self, message: Message, config: ChannelConfig) -> HttpRequest:  # pragma: no cover - abstract
        raise NotImplementedError

    def judge(self, answer: HttpAnswer) -> None:
        if not 200 <= answer.status < 300:
            raise SendFailed(f"HTTP {answer.status}", answer=answer.log(), rate_limited=answer.status == 429)


def plain_text(message: Message, *, mentions: str = "") -> str:
    """The message as robots show it: subject, body, the link and the one-click
    acknowledgement, then the @-mentions."""
    lines = [message.subject]
    if message.text and message.text != message.subject:
        lines.append(message.text)
    if message.link:
        lines.append(f"查看：{message.link}")
    if message.ack_url:
        lines.append(f"一键确认：{message.ack_url}")
    if mentions:
        lines.append(mentions)
    return "\n".join(lines)


def markdown_text(message: Message, *, mentions: str = "") -> str:
    lines = [f"### {message.subject}"]
    if message.text and message.text != message.subject:
        lines.append(message.text)
    links = []
    if message.link:
        links.append(f"[查看详情]({message.link})")
    if message.ack_url:
        links.append(f"[一键确认]({message.ack_url})")
    if links:
        lines.append(" · ".join(links))
    if mentions:
        lines.append(mentions)
    return "\n\n".join(lines)
