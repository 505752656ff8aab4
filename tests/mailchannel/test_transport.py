"""IMAP polling and the SMTP/LMTP receiver: mail gets in, and is only acknowledged once stored."""

from __future__ import annotations

import asyncio
import datetime
import smtplib
import socket
import threading

import pytest
from django.core.management import call_command

from weibao.mailchannel.models import InboundMail, Mailbox
from weibao.mailchannel.receiver import MailReceiver
from weibao.mailchannel.services import imap


class FakeImap:
    """An IMAP4 server's answers as imaplib returns them, for one folder (and the folders
    messages are moved to: ``folders``)."""

    def __init__(self, messages: dict[int, bytes], validity: int = 7, dates: dict | None = None,
                 capabilities: str = "IMAP4rev1 MOVE UIDPLUS"):
        self.messages = messages
        self.validity = validity
        self.dates = dates or {}  # uid -> INTERNALDATE (a date), for SEARCH SINCE
        self.seen: set[int] = set()
        self.deleted: set[int] = set()
        self.folders: dict[str, list[bytes]] = {}
        self.capabilities = capabilities
        self.commands: list[str] = []
        self.logged_in = False

    def login(self, user, password):
        self.logged_in = (user, password) == ("desk", "secret")
        return ("OK", [b"LOGIN completed"]) if self.logged_in else ("NO", [b"bad credentials"])

    def select(self, folder):
        return "OK", [str(len(self.messages)).encode()]

    def response(self, code):
        if code == "UIDNEXT":
            return code, [str(max(self.messages, default=0) + 1).encode()]
        return code, [str(self.validity).encode()]

    def capability(self):
        return "OK", [self.capabilities.encode()]

    def list(self, directory, pattern):
        name = pattern.strip('"')
        return "OK", [f'(\\HasNoChildren) "/" "{name}"'.encode()] if name in self.folders else [None]

    def create(self, folder):
        self.commands.append(f"CREATE {folder}")
        self.folders.setdefault(folder.strip('"'), [])
        return "OK", [b"CREATE completed"]

    def subscribe(self, folder):
        return "OK", [b"SUBSCRIBE completed"]

    def expunge(self):
        self.commands.append("EXPUNGE")
        for uid in self.deleted:
            self.messages.pop(uid, None)
        self.deleted.clear()
        return "OK", [None]

    @staticmethod
    def _set(text: str) -> list[int]:
        return [int(u) for u in text.split(",")]

    def uid(self, command, *args):
        if command in ("MOVE", "COPY", "EXPUNGE"):
            self.commands.append(f"UID {command} {' '.join(args)}")
        if command == "SEARCH" and args[1].startswith("SINCE"):
            since = datetime.datetime.strptime(args[1].split()[1], "%d-%b-%Y").date()
            found = [u for u in sorted(self.messages) if self.dates.get(u, datetime.date.max) >= since]
            return "OK", [" ".join(map(str, found)).encode()]
        if command == "SEARCH":
            low = int(args[1].split()[1].split(":")[0])
            found = [u for u in sorted(self.messages) if u >= low] or sorted(self.messages)[-1:]
            return "OK", [" ".join(map(str, found)).encode()]
        if command == "FETCH":
            uid = int(args[0])
            return "OK", [(f"1 (UID {uid} BODY[] {{{len(self.messages[uid])}}}".encode(), self.messages[uid]), b")"]
        if command == "STORE":
            flags = self.deleted if "Deleted" in args[2] else self.seen
            flags.update(self._set(args[0]))
            return "OK", []
        if command in ("MOVE", "COPY"):
            folder = self.folders[args[1].strip('"')]
            for uid in self._set(args[0]):
                folder.append(self.messages[uid])
                if command == "MOVE":
                    del self.messages[uid]
            return "OK", []
        if command == "EXPUNGE":
            for uid in self._set(args[0]):
                if uid in self.deleted:
                    self.messages.pop(uid, None)
                    self.deleted.discard(uid)
            return "OK", []
        raise AssertionError(command)

    def logout(self):
        return "BYE", []


def positioned(mailbox, last_uid=0, validity=7):
    """As if an earlier poll of this folder had stopped at ``last_uid``."""
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_position_of=mailbox.imap_position, imap_uidvalidity=validity, imap_last_uid=last_uid
    )
    mailbox.refresh_from_db()
    return mailbox


@pytest.fixture
def imap_box(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="imap.example.cn", imap_user="desk", imap_password="secret")
    mailbox.refresh_from_db()
    return positioned(mailbox)


def test_imap_poll_stores_new_messages_once_and_leaves_them_as_they_are(imap_box, sample, clock):
    server = FakeImap({3: sample("foxmail_gbk.eml"), 4: sample("outlook_html_only.eml")})
    assert imap.poll(imap_box, connect=lambda box: server) == 2
    assert server.seen == set() and sorted(server.messages) == [3, 4]
    imap_box.refresh_from_db()
    assert (imap_box.imap_last_uid, imap_box.imap_uidvalidity, imap_box.last_poll_error) == (4, 7, "")
    # Next minute: nothing new (IMAP answers "4:*" with the last message; it is not refetched).
    assert imap.poll(imap_box, connect=lambda box: server) == 0
    server.messages[5] = sample("inline_image.eml")
    assert imap.poll(imap_box, connect=lambda box: server) == 1
    assert InboundMail.objects.filter(source="imap").count() == 3


def test_imap_folder_renumbered_refetches_but_duplicates_make_no_second_ticket(imap_box, sample, deliver, clock):
    server = FakeImap({1: sample("foxmail_gbk.eml")})
    imap.poll(imap_box, connect=lambda box: server)
    server.validity = 8
    assert imap.poll(imap_box, connect=lambda box: server) == 1
    from weibao.mailchannel.services.inbound import retry_due

    clock.advance(__import__("datetime").timedelta(minutes=5))
    retry_due()
    outcomes = sorted(InboundMail.objects.values_list("outcome", flat=True))
    assert outcomes == ["created", "duplicate"]


def test_imap_errors_are_kept_on_the_mailbox_not_raised(imap_box, clock):
    Mailbox.objects.filter(pk=imap_box.pk).update(imap_password="wrong")
    imap_box.refresh_from_db()
    assert imap.poll(imap_box, connect=lambda box: FakeImap({})) == 0
    imap_box.refresh_from_db()
    # In our words: what the far side answered stays in the server log.
    assert imap_box.last_poll_error == "IMAP 登录失败，请检查用户名和密码。"

    def unreachable(box):
        raise OSError("Connection refused")

    imap.poll(imap_box, connect=unreachable)
    imap_box.refresh_from_db()
    assert imap_box.last_poll_error == "无法连接 IMAP 服务器，详情见服务器日志。"


def test_imap_password_can_come_from_the_environment(imap_box, monkeypatch):
    imap_box.imap_password = "env:WEIBAO_IMAP_PASSWORD_DESK"
    monkeypatch.setenv("WEIBAO_IMAP_PASSWORD_DESK", "secret")
    assert imap.password_of(imap_box) == "secret"


def test_an_env_reference_to_another_variable_never_leaves_the_server(imap_box, monkeypatch):
    # A project manager pointing the poller at their own server with env:WEIBAO_SECRET_KEY
    # would otherwise receive the platform's key as the LOGIN password.
    monkeypatch.setenv("WEIBAO_SECRET_KEY", "the-platform-key")
    Mailbox.objects.filter(pk=imap_box.pk).update(imap_password="env:WEIBAO_SECRET_KEY")
    imap_box.refresh_from_db()
    server = FakeImap({})
    sent = []
    server.login = lambda user, password: sent.append(password) or ("NO", [b"no"])
    assert imap.poll(imap_box, connect=lambda box: server) == 0
    assert sent == []
    imap_box.refresh_from_db()
    assert "WEIBAO_IMAP_PASSWORD_" in imap_box.last_poll_error


def test_the_poller_connects_only_to_imap_ports_and_over_tls_in_production(imap_box, settings):
    settings.WEIBAO_IMAP_ALLOW_PLAINTEXT = False
    Mailbox.objects.filter(pk=imap_box.pk).update(imap_port=6379, imap_security="plain")
    imap_box.refresh_from_db()
    connected = []
    imap.poll(imap_box, connect=lambda box: connected.append(box) or FakeImap({}))
    assert connected == []
    imap_box.refresh_from_db()
    assert "143, 993" in imap_box.last_poll_error and "SSL" in imap_box.last_poll_error


def test_a_message_the_server_answers_oddly_is_not_skipped(imap_box, sample, clock):
    server = FakeImap({3: sample("foxmail_gbk.eml"), 4: sample("outlook_html_only.eml")})
    real_uid = server.uid

    def odd_fetch_of_3(command, *args):
        if command == "FETCH" and args[0] == "3":
            return "OK", [b"1 (UID 3 FLAGS (\\Seen))"]
        return real_uid(command, *args)

    server.uid = odd_fetch_of_3
    assert imap.poll(imap_box, connect=lambda box: server) == 0
    imap_box.refresh_from_db()
    assert imap_box.imap_last_uid == 0 and "FETCH 3" in imap_box.last_poll_error
    server.uid = real_uid  # the server behaves again: both arrive, in order
    assert imap.poll(imap_box, connect=lambda box: server) == 2
    imap_box.refresh_from_db()
    assert imap_box.imap_last_uid == 4


def test_a_message_expunged_after_the_search_is_passed_over(imap_box, sample, clock):
    server = FakeImap({3: sample("foxmail_gbk.eml"), 4: sample("outlook_html_only.eml")})
    real_uid = server.uid
    server.uid = lambda command, *args: (
        ("OK", [None]) if command == "FETCH" and args[0] == "3" else real_uid(command, *args)
    )
    assert imap.poll(imap_box, connect=lambda box: server) == 1
    imap_box.refresh_from_db()
    assert imap_box.imap_last_uid == 4


def test_a_password_encrypted_under_another_secret_key_is_reported_on_the_mailbox(imap_box, settings):
    from weibao.core.stored_secrets import protect

    Mailbox.objects.filter(pk=imap_box.pk).update(imap_password=protect("secret"))
    imap_box.refresh_from_db()
    settings.SECRET_KEY = "another-secret-key-after-a-rotation-0123456789"
    assert imap.poll(imap_box, connect=lambda box: FakeImap({})) == 0
    imap_box.refresh_from_db()
    assert "无法解密" in imap_box.last_poll_error and "enter it again" in imap_box.last_poll_error


def test_mail_poll_command_reports_each_mailbox(imap_box, monkeypatch, capsys, clock):
    monkeypatch.setattr(imap, "open_connection", lambda box: FakeImap({}))
    call_command("mail_poll")
    assert "support@weibao.test: 0 new message(s) stored" in capsys.readouterr().out


# -- the receiver, over a real socket with the standard library's clients ------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def run_receiver():
    started = []

    def start(receiver: MailReceiver) -> int:
        port = _free_port()
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        stop = asyncio.Event()

        async def main():
            server = await receiver.serve("127.0.0.1", port)
            ready.set()
            async with server:
                await stop.wait()
            sessions = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in sessions:
                task.cancel()
            await asyncio.gather(*sessions, return_exceptions=True)

        thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
        thread.start()
        assert ready.wait(5)
        started.append((loop, stop, thread))
        return port

    yield start
    for loop, stop, thread in started:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)
        loop.close()


def _receiver(stored, *, lmtp, fail_for=()):
    def store(rcpt, raw):
        if rcpt in fail_for:
            raise RuntimeError("database unavailable")
        stored.append((rcpt, raw))

    return MailReceiver(accepts=lambda a: a.endswith("@weibao.test"), store=store, lmtp=lmtp, hostname="mx.test")


def _converse(port: int, lines: list[bytes]) -> list[str]:
    """Speak LMTP by hand: smtplib.LMTP reads only one answer after DATA."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        reader = conn.makefile("rb")
        answers = [reader.readline().decode()]
        for line in lines:
            conn.sendall(line)
            if line.endswith(b".\r\n") and b"\r\n.\r\n" in b"\r\n" + line:
                continue
            if line.startswith((b"LHLO",)):
                while True:
                    answer = reader.readline().decode()
                    answers.append(answer)
                    if answer[3] == " ":
                        break
            elif not line.startswith(b"Subject") and line != b".\r\n":
                answers.append(reader.readline().decode())
        answers += [reader.readline().decode(), reader.readline().decode()]
        return answers


def test_lmtp_answers_per_recipient_and_stores_the_message_with_a_received_header(run_receiver):
    stored = []
    port = run_receiver(_receiver(stored, lmtp=True, fail_for={"b@weibao.test"}))
    answers = _converse(port, [
        b"LHLO mx.shilong.gov.cn\r\n", b"MAIL FROM:<zhangsan@shilong.gov.cn>\r\n",
        b"RCPT TO:<a@weibao.test>\r\n", b"RCPT TO:<b@weibao.test>\r\n", b"DATA\r\n",
        b"Subject: hi\r\n\r\nhello\r\n.\r\n",
    ])
    assert answers[-2].startswith("250 2.0.0")  # a@: stored
    assert answers[-1].startswith("451 4.3.0")  # b@: not stored, the MTA keeps it and retries
    [(rcpt, data)] = stored
    assert rcpt == "a@weibao.test"
    assert data.startswith(b"Return-Path: <zhangsan@shilong.gov.cn>\r\nReceived: from mx.shilong.gov.cn")
    assert b"with LMTP" in data
    assert data.endswith(b"Subject: hi\r\n\r\nhello\r\n")


def test_smtp_refuses_unknown_recipients_and_never_says_250_before_storing(run_receiver, sample):
    stored = []
    port = run_receiver(_receiver(stored, lmtp=False, fail_for={"down@weibao.test"}))
    with smtplib.SMTP("127.0.0.1", port) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("x@example.cn", ["nobody@elsewhere.cn"], b"Subject: hi\r\n\r\nhi\r\n")
        with pytest.raises(smtplib.SMTPDataError) as failure:
            client.sendmail("x@example.cn", ["down@weibao.test"], b"Subject: hi\r\n\r\nhi\r\n")
        assert failure.value.smtp_code == 451
        body = b"Subject: dots\r\n\r\n.leading dot line\r\n..two\r\n"
        client.sendmail("x@example.cn", ["a@weibao.test"], body)
    [(_, data)] = stored
    assert b"\r\n.leading dot line\r\n..two\r\n" in data  # dot-stuffing undone exactly


def test_oversized_message_is_refused(run_receiver):
    stored = []
    receiver = _receiver(stored, lmtp=False)
    receiver.max_size = 1000
    port = run_receiver(receiver)
    with smtplib.SMTP("127.0.0.1", port) as client:
        with pytest.raises(smtplib.SMTPException):
            client.sendmail("x@example.cn", ["a@weibao.test"], b"Subject: big\r\n\r\n" + b"x" * 5000)
    assert stored == []


@pytest.mark.django_db(transaction=True)
def test_django_receiver_routes_by_recipient_to_the_contract_mailbox(run_receiver, sample, contract):
    from weibao.mailchannel.receiver import django_receiver
    from weibao.servicedesk.services.defaults import install_defaults

    install_defaults(contract)
    Mailbox.objects.create(contract=contract, address="support@weibao.test")
    port = run_receiver(django_receiver(lmtp=True, hostname="mx.test"))
    client = smtplib.LMTP("127.0.0.1", port)
    try:
        client.sendmail("zhangsan@shilong.gov.cn", ["Support@Weibao.test"], sample("foxmail_gbk.eml"))
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("zhangsan@shilong.gov.cn", ["unknown@weibao.test"], sample("foxmail_gbk.eml"))
    finally:
        client.quit()
    mail = InboundMail.objects.get()
    assert (mail.contract_id, mail.source) == (contract.pk, "lmtp")
    assert mail.subject == "社保查询页面打不开，朱镕基路办事大厅急"
