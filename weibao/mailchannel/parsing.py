"""Raw mail bytes → what the service desk needs, whatever the sender's client did.

``parse()`` never raises. Chinese mail arrives labelled GB2312 while using GBK-only
characters, with raw 8-bit GBK headers from old clients, RFC 2047 words split in the
middle of a character, HTML only, images inline, whole chains forwarded as attachments.
Every charset label of the GB family is read as GB18030 (their superset), unknown or
wrong labels fall back to UTF-8, then GB18030, then replacement characters, so the text
is always readable and nothing is dropped: the raw bytes are kept by the caller anyway.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from html.parser import HTMLParser

CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
    "unknown-8bit": "",
    "x-unknown": "",
}

MAX_DEPTH = 20
TICKET_NUMBER = re.compile(r"\bSL-\d{4}-\d{6}\b")
MESSAGE_ID = re.compile(r"<[^<>\s\x00]+>")


@dataclass
class MailPart:
    name: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedMail:
    message_id: str = ""
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    root_type: str = ""
    report_type: str = ""
    text: str = ""
    html_only: bool = False
    attachments: list[MailPart] = field(default_factory=list)
    forwarded: int = 0
    received_count: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, most specific first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen

    @property
    def ticket_numbers(self) -> list[str]:
        return TICKET_NUMBER.findall(self.subject)

    @property
    def sender_label(self) -> str:
        return self.from_name or self.from_address


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in the declared charset, or the likeliest one; never fails.
    NUL characters are dropped: no database text column may hold them (PostgreSQL refuses)."""
    return _decode(data, charset).replace("\x00", "")


def _decode(data: bytes, charset: str | None) -> str:
    label = (charset or "").strip().strip('"').lower()
    label = CHARSET_ALIASES.get(label, label)
    for candidate in (label, "utf-8", "gb18030"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def _unescape_8bit(value: str) -> str:
    # The stdlib keeps undeclared 8-bit header bytes as surrogates; they are GBK as often as UTF-8.
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        return decode_bytes(value.encode("ascii", "surrogateescape"))
    return value


def decode_header_value(value) -> str:
    """An RFC 2047 (or raw 8-bit) header as plain text on one line."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        value = str(value)
    value = _unescape_8bit(str(value))
    try:
        chunks = email.header.decode_header(value)
    except Exception:  # noqa: BLE001 - a malformed encoded word is shown as written
        chunks = [(value, None)]
    text = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            text.append(decode_bytes(chunk, charset))
        else:
            text.append(chunk)
    return re.sub(r"\s*[\r\n]+\s*", " ", "".join(text)).replace("\x00", "").strip()


def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return value
    return None


def _all_raw(msg: Message, name: str) -> list[str]:
    return [value for key, value in msg.raw_items() if key.lower() == name.lower()]


def _addresses(value: str) -> list[tuple[str, str]]:
    try:
        pairs = email.utils.getaddresses([value])
    except Exception:  # noqa: BLE001
        return []
    return [(name.strip(), addr.strip().lower()) for name, addr in pairs if "@" in addr]


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - broken RFC 2231 parameters
        name = None
    if not name:
        return ""
    return decode_header_value(name).replace("/", "_").replace("\\", "_")[:200]


class _TextFromHtml(HTMLParser):
    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - fall back to stripping tags
        return re.sub(r"<[^>]+>", " ", html)
    text = "".join(parser.out).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _Walk:
    def __init__(self, result: ParsedMail):
        self.result = result
        self.plain: list[str] = []
        self.html: list[str] = []

    def visit(self, part: Message, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            self.result.problems.append("too deeply nested")
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            self._forwarded(part, depth)
            return
        if part.is_multipart():
            payload = part.get_payload()
            for sub in payload if isinstance(payload, list) else []:
                if isinstance(sub, Message):
                    self.visit(sub, depth + 1)
            return
        try:
            content = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001 - broken transfer encoding: keep it as written
            content = str(part.get_payload()).encode("utf-8", "surrogateescape")
            self.result.problems.append("undecodable transfer encoding")
        name = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not name:
            text = decode_bytes(content, part.get_content_charset()).replace("\r\n", "\n")
            (self.plain if ctype == "text/plain" else self.html).append(text)
            return
        if not content:
            return
        content_id = (part.get("Content-ID") or "").strip().strip("<>")
        self.result.attachments.append(
            MailPart(
                name=name or _default_name(ctype, len(self.result.attachments) + 1),
                content_type=ctype,
                content=content,
                inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
                content_id=content_id,
            )
        )

    def _forwarded(self, part: Message, depth: int) -> None:
        self.result.forwarded += 1
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            return
        subject = decode_header_value(_raw_header(inner, "Subject")) or "forwarded"
        try:
            raw = inner.as_bytes(policy=compat32)
        except Exception:  # noqa: BLE001
            raw = str(inner).encode("utf-8", "surrogateescape")
        self.result.attachments.append(
            MailPart(name=f"{subject[:80]}.eml", content_type="message/rfc822", content=raw)
        )
        # The forwarded text still matters when the forwarder wrote nothing of their own.
        inner_walk = _Walk(ParsedMail())
        inner_walk.visit(inner, depth + 1)
        forwarded_text = inner_walk.body()
        if forwarded_text:
            sender = decode_header_value(_raw_header(inner, "From"))
            self.plain.append(f"---------- 转发的邮件 ----------\n发件人: {sender}\n主题: {subject}\n\n{forwarded_text}")
        self.result.attachments.extend(inner_walk.result.attachments)

    def body(self) -> str:
        if any(text.strip() for text in self.plain):
            return "\n\n".join(text.strip() for text in self.plain if text.strip())
        if self.html:
            self.result.html_only = True
            return "\n\n".join(html_to_text(text) for text in self.html).strip()
        return ""


def _default_name(ctype: str, n: int) -> str:
    extension = {
        "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "application/pdf": "pdf",
        "text/html": "html", "text/plain": "txt",
    }.get(ctype, "bin")
    return f"attachment-{n}.{extension}"


def parse(raw: bytes) -> ParsedMail:
    """Parse a whole message. Never raises; what could not be read is listed in ``problems``."""
    result = ParsedMail()
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
    except Exception as exc:  # noqa: BLE001
        result.problems.append(f"unparseable: {exc}")
        result.text = decode_bytes(raw)
        return result
    try:
        _read_headers(msg, result)
    except Exception as exc:  # noqa: BLE001
        result.problems.append(f"headers: {exc}")
    walk = _Walk(result)
    try:
        walk.visit(msg)
        result.text = walk.body()
    except Exception as exc:  # noqa: BLE001
        result.problems.append(f"body: {exc}")
        result.text = result.text or decode_bytes(raw)
    return result


def _read_headers(msg: Message, result: ParsedMail) -> None:
    for key in msg.keys():
        lower = key.lower()
        if lower not in result.headers:
            result.headers[lower] = decode_header_value(_raw_header(msg, key))[:1000]
    result.subject = decode_header_value(_raw_header(msg, "Subject"))
    sender = _addresses(decode_header_value(_raw_header(msg, "From")))
    if not sender:
        # No usable From: the envelope sender that final delivery recorded.
        sender = _addresses(decode_header_value(_raw_header(msg, "Return-Path")))
    if sender:
        result.from_name, result.from_address = sender[0]
        result.from_name = result.from_name.strip('"')
    result.to = [addr for _, addr in _addresses(", ".join(map(decode_header_value, _all_raw(msg, "To"))))]
    result.cc = [addr for _, addr in _addresses(", ".join(map(decode_header_value, _all_raw(msg, "Cc"))))]
    for name in ("Delivered-To", "X-Original-To", "Envelope-To"):
        result.to += [addr for _, addr in _addresses(decode_header_value(_raw_header(msg, name)))]
    result.date = decode_header_value(_raw_header(msg, "Date"))
    ids = MESSAGE_ID.findall(_raw_header(msg, "Message-ID") or "")
    result.message_id = ids[0][:500] if ids else ""
    result.in_reply_to = MESSAGE_ID.findall(_raw_header(msg, "In-Reply-To") or "")
    result.references = MESSAGE_ID.findall(" ".join(_all_raw(msg, "References")))
    result.received_count = len(_all_raw(msg, "Received"))
    result.root_type = msg.get_content_type()
    result.report_type = (msg.get_param("report-type") or "").lower() if result.root_type == "multipart/report" else ""


# -- the requester's own words in a reply ----------------------------------------------------

REPLY_ABOVE = "##- 请在此行以上回复 / reply above this line -##"
_QUOTE_MARKERS = [
    re.compile(r"^##- .*-##\s*$"),
    re.compile(r"^-{2,}\s*(原始邮件|Original Message|Original|回复的原邮件)\s*-{2,}\s*$", re.I),
    re.compile(r"^在\s*.{4,80}\s*写道\s*[:：]\s*$"),
    re.compile(r"^On .{4,200} wrote:\s*$"),
    re.compile(r"^_{10,}\s*$"),
    re.compile(r"^(发件人|From)\s*[:：].*$"),
]


def reply_text(text: str) -> str:
    """The new part of a reply: everything above the quoted message, or all of it."""
    kept = []
    for line in text.splitlines():
        if any(marker.match(line.strip()) for marker in _QUOTE_MARKERS):
            break
        kept.append(line)
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    new_part = "\n".join(kept).strip()
    return new_part or text.strip()


def peek(raw: bytes) -> ParsedMail:
    """Headers only, for listing a stored mail before (or without) processing it."""
    result = ParsedMail()
    try:
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        _read_headers(email.message_from_bytes(head, policy=compat32), result)
    except Exception as exc:  # noqa: BLE001
        result.problems.append(f"headers: {exc}")
    return result


def content_fingerprint(raw: bytes) -> str:
    """Who sent it, when, about what and what it says, as one hash: the same mail fetched
    twice is recognised even when it has no Message-ID. Line endings and trailing blanks
    are ignored (servers rewrite them); anything else that differs makes another mail."""
    head = peek(raw)
    split = re.search(rb"\r?\n\r?\n", raw)
    body = raw[split.end():] if split else b""
    body = b"\n".join(line.rstrip() for line in body.replace(b"\r\n", b"\n").split(b"\n")).strip()
    digest = hashlib.sha256()
    for part in (head.from_address.lower(), head.date.strip(), head.subject.strip()):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(hashlib.sha256(body).digest())
    return digest.hexdigest()
