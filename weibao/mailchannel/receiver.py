"""A small SMTP/LMTP server (asyncio, standard library only) for setups that forward mail.

Postfix or another MTA hands mail for the service-desk addresses to Weibao over LMTP
(or SMTP). Recipients are checked at ``RCPT TO`` against the active mailboxes (unknown →
550, so the sender gets a bounce rather than silence). ``250`` after ``DATA`` is only
said once the message is stored in the database; if it cannot be stored the answer is
a temporary ``451`` and the MTA keeps the message and retries. That is how nothing is
lost between the MTA and the service desk.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_SIZE = 30 * 1024 * 1024
MAX_RECIPIENTS = 100
IDLE_TIMEOUT = 300
LINE_LIMIT = 1024 * 1024


def _address(arg: str) -> str:
    arg = arg.strip()
    if "<" in arg and ">" in arg:
        arg = arg[arg.index("<") + 1 : arg.index(">")]
    return arg.split()[0].strip().lower() if arg.split() else ""


class MailReceiver:
    """Serves SMTP or LMTP. ``accepts(address) -> bool`` and ``store(rcpt, raw)`` are sync
    callables (they use the database) and run in a worker thread."""

    def __init__(
        self,
        *,
        accepts: Callable[[str], bool],
        store: Callable[[str, bytes], None],
        lmtp: bool = False,
        hostname: str | None = None,
        max_size: int = MAX_SIZE,
    ):
        self.accepts = accepts
        self.store = store
        self.lmtp = lmtp
        self.hostname = hostname or socket.getfqdn()
        self.max_size = max_size

    async def serve(self, host: str, port: int) -> asyncio.base_events.Server:
        return await asyncio.start_server(self.handle, host, port, limit=LINE_LIMIT)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        session = _Session(self, reader, writer, peer)
        try:
            await session.run()
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:  # noqa: BLE001 - one bad session must not stop the server
            log.exception("mail session from %s failed", peer)
        finally:
            try:
                writer.close()
                await writer.wait_closed()
            except Exception:  # noqa: BLE001 - the peer is gone already
                log.debug("closing mail session from %s", peer, exc_info=True)


class _Session:
    def __init__(self, server: MailReceiver, reader, writer, peer):
        self.server = server
        self.reader = reader
        self.writer = writer
        self.peer = peer
        self.helo = ""
        self.reset()

    def reset(self) -> None:
        self.sender: str | None = None
        self.recipients: list[str] = []

    async def reply(self, line: str) -> None:
        self.writer.write(line.encode("utf-8") + b"\r\n")
        await self.writer.drain()

    async def readline(self) -> bytes:
        try:
            return await asyncio.wait_for(self.reader.readline(), IDLE_TIMEOUT)
        except (asyncio.LimitOverrunError, ValueError):
            await self.reply("500 5.5.2 Line too long")
            raise ConnectionError("line too long") from None

    async def run(self) -> None:
        protocol = "LMTP" if self.server.lmtp else "ESMTP"
        await self.reply(f"220 {self.server.hostname} Weibao {protocol} ready")
        while True:
            line = await self.readline()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            handler = getattr(self, f"do_{verb.lower()}", None) if verb.isalpha() else None
            if handler is None:
                await self.reply("500 5.5.1 Command not recognised")
                continue
            if await handler(arg) is False:
                return

    async def _greet(self, arg: str, extended: bool) -> None:
        self.helo = arg.strip()
        self.reset()
        if not extended:
            await self.reply(f"250 {self.server.hostname}")
            return
        for ext in (self.server.hostname, "PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"):
            await self.reply(f"250-{ext}")
        await self.reply(f"250 SIZE {self.server.max_size}")

    async def do_lhlo(self, arg: str) -> None:
        if not self.server.lmtp:
            await self.reply("500 5.5.1 LHLO is for LMTP")
            return
        await self._greet(arg, True)

    async def do_ehlo(self, arg: str) -> None:
        if self.server.lmtp:
            await self.reply("500 5.5.1 Use LHLO")
            return
        await self._greet(arg, True)

    async def do_helo(self, arg: str) -> None:
        if self.server.lmtp:
            await self.reply("500 5.5.1 Use LHLO")
            return
        await self._greet(arg, False)

    async def do_mail(self, arg: str) -> None:
        if not arg.upper().startswith("FROM:"):
            await self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
            return
        if self.sender is not None:
            await self.reply("503 5.5.1 Sender already given")
            return
        params = arg[5:].split()
        for param in params[1:]:
            size = param[5:]
            # ASCII digits only: "SIZE=²" passes str.isdigit() and int() would raise.
            if param.upper().startswith("SIZE=") and size.isascii() and size.isdigit() and int(size) > self.server.max_size:
                await self.reply("552 5.3.4 Message too big")
                return
        self.sender = _address(arg[5:]) if params else ""
        await self.reply("250 2.1.0 OK")

    async def do_rcpt(self, arg: str) -> None:
        if self.sender is None:
            await self.reply("503 5.5.1 MAIL first")
            return
        if not arg.upper().startswith("TO:"):
            await self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
            return
        if len(self.recipients) >= MAX_RECIPIENTS:
            await self.reply("452 4.5.3 Too many recipients")
            return
        address = _address(arg[3:])
        try:
            known = await asyncio.to_thread(self.server.accepts, address)
        except Exception:  # noqa: BLE001 - database down: ask the MTA to try again later
            log.exception("recipient check failed")
            await self.reply("451 4.3.0 Temporary failure, try again later")
            return
        if not known:
            await self.reply(f"550 5.1.1 <{address}>: no such service-desk mailbox")
            return
        self.recipients.append(address)
        await self.reply("250 2.1.5 OK")

    async def do_data(self, arg: str) -> None:
        if not self.recipients:
            await self.reply("503 5.5.1 RCPT first")
            return
        await self.reply("354 End data with <CR><LF>.<CR><LF>")
        chunks: list[bytes] = []
        size = 0
        too_big = False
        while True:
            line = await self.readline()
            if not line:
                raise ConnectionError("connection closed in DATA")
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size > self.server.max_size:
                too_big = True
            elif not too_big:
                chunks.append(line)
        if too_big:
            await self._answer_all("552 5.3.4 Message too big")
            self.reset()
            return
        head, body = self._received_header(), b"".join(chunks)
        replies = []
        for rcpt in self.recipients:
            # Delivered-To: the envelope recipient, as final delivery records it (the alert
            # address a copy was for, when To and Cc do not show it: decision 0027).
            raw = head + f"Delivered-To: {rcpt}\r\n".encode() + body
            try:
                await asyncio.to_thread(self.server.store, rcpt, raw)
                replies.append("250 2.0.0 Stored")
            except Exception:  # noqa: BLE001 - not stored: temporary failure, the MTA retries
                log.exception("storing mail for %s failed", rcpt)
                replies.append("451 4.3.0 Temporary failure, try again later")
        if self.server.lmtp:
            for line in replies:
                await self.reply(line)
        else:
            # SMTP has one answer for all recipients: success only if every copy is stored.
            await self.reply(next((r for r in replies if not r.startswith("250")), replies[0]))
        self.reset()

    async def _answer_all(self, line: str) -> None:
        for _ in self.recipients if self.server.lmtp else [None]:
            await self.reply(line)

    def _received_header(self) -> bytes:
        host = self.peer[0] if isinstance(self.peer, tuple) and self.peer else "unknown"
        protocol = "LMTP" if self.server.lmtp else "ESMTP"
        date = email.utils.format_datetime(email.utils.localtime())
        # Return-Path is what final delivery adds: the envelope sender ("<>" for bounces).
        sender = (self.sender or "").replace("\r", "").replace("\n", "")
        return (
            f"Return-Path: <{sender}>\r\n"
            f"Received: from {self.helo or 'unknown'} ([{host}])\r\n"
            f"\tby {self.server.hostname} (Weibao) with {protocol}; {date}\r\n"
        ).encode("ascii", "replace")

    async def do_rset(self, arg: str) -> None:
        self.reset()
        await self.reply("250 2.0.0 OK")

    async def do_noop(self, arg: str) -> None:
        await self.reply("250 2.0.0 OK")

    async def do_vrfy(self, arg: str) -> None:
        await self.reply("252 2.5.2 Cannot verify, but will accept")

    async def do_quit(self, arg: str) -> bool:
        await self.reply("221 2.0.0 Bye")
        return False


def django_receiver(*, lmtp: bool, hostname: str | None = None) -> MailReceiver:
    """The receiver wired to Weibao's mailboxes."""
    from django.db import close_old_connections

    from weibao.mailchannel.models import InboundMail
    from weibao.mailchannel.services.inbound import accepts_recipient, mailbox_for, receive

    def accepts(address: str) -> bool:
        close_old_connections()
        return accepts_recipient(address)

    def store(rcpt: str, raw: bytes) -> None:
        close_old_connections()
        from django.db import transaction

        mailbox = mailbox_for([rcpt])
        if mailbox is None:
            raise LookupError(rcpt)
        source = InboundMail.Source.LMTP if lmtp else InboundMail.Source.SMTP
        with transaction.atomic():
            receive(mailbox, raw, source=source)

    return MailReceiver(accepts=accepts, store=store, lmtp=lmtp, hostname=hostname)
