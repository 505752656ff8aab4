"""The IMAP poller against a real server, dovecot (tests/mailchannel/dovecot.py): a poll,
certificate verification (a self-signed certificate refused unless its CA is given),
STARTTLS, and what happens to stored mail on the server (left, marked seen, moved, with
MOVE and without, finished after a crash)."""

from __future__ import annotations

import imaplib
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.mailchannel.dovecot import start_dovecot
from tests.mailchannel.test_imap_tls import _certificate
from weibao.mailchannel.models import ImapPendingAction, InboundMail, Mailbox
from weibao.mailchannel.services import imap


@pytest.fixture(scope="module")
def dovecot():
    # Not under pytest's tmp_path: that is root's alone (0700), and dovecot reads its
    # passwd file and writes mail as other users.
    root = Path(tempfile.mkdtemp(prefix="weibao-dovecot-"))
    root.chmod(0o755)
    try:
        pem, _ = _certificate(root)
        server = start_dovecot(root, pem)
        yield server
        server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def aim(mailbox, dovecot, settings):
    settings.WEIBAO_IMAP_ALLOWED_PORTS = [dovecot.plain_port, dovecot.tls_port]
    settings.WEIBAO_IMAP_HOSTS = ["localhost"]

    def aim(security="starttls", ca=True, **fields) -> tuple[Mailbox, str]:
        user = dovecot.account()
        port = dovecot.tls_port if security == "tls" else dovecot.plain_port
        Mailbox.objects.filter(pk=mailbox.pk).update(
            imap_host="localhost", imap_port=port, imap_security=security, imap_user=user, imap_password="secret",
            imap_ca_bundle=dovecot.ca_pem if ca else "", **fields,
        )
        mailbox.refresh_from_db()
        return mailbox, user

    return aim


def _mail(n: int) -> bytes:
    return (
        f"From: =?UTF-8?B?5byg5LiJ?= <zhangsan{n}@shilong.gov.cn>\r\nTo: support@weibao.test\r\n"
        f"Subject: =?UTF-8?B?56S+5L+d5p+l6K+i?= {n}\r\nMessage-ID: <dovecot-{n}@shilong.gov.cn>\r\n"
        f"Date: Sun, 06 Dec 2026 10:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"社保查询页面打不开 {n}\r\n"
    ).encode()


def _first_poll_then_two(mailbox, user, dovecot) -> int:
    assert imap.poll(mailbox) == 0  # a new mailbox starts from now
    mailbox.refresh_from_db()
    assert mailbox.last_poll_error == ""
    dovecot.deliver(user, _mail(1))
    dovecot.deliver(user, _mail(2))
    return imap.poll(Mailbox.objects.get(pk=mailbox.pk))


def test_a_poll_over_starttls_stores_new_mail_and_leaves_it_as_it_is(aim, dovecot, clock):
    mailbox, user = aim("starttls")
    assert _first_poll_then_two(mailbox, user, dovecot) == 2
    assert sorted(InboundMail.objects.values_list("subject", flat=True)) == ["社保查询 1", "社保查询 2"]
    assert [flags for flags in dovecot.folder(user).values()] == [set(), set()]
    assert imap.poll(Mailbox.objects.get(pk=mailbox.pk)) == 0  # nothing twice


def test_tls_with_the_ca_given_polls(aim, dovecot, clock):
    mailbox, user = aim("tls")
    assert _first_poll_then_two(mailbox, user, dovecot) == 2


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_self_signed_certificate_is_refused_without_its_ca(aim, dovecot, clock, security):
    mailbox, user = aim(security, ca=False)
    dovecot.deliver(user, _mail(1))
    assert imap.poll(mailbox) == 0
    mailbox.refresh_from_db()
    assert "证书" in mailbox.last_poll_error and mailbox.imap_position_of == ""
    log = (dovecot.root / "dovecot.log").read_text()
    assert log.count(f"Login: user=<{user}>") <= 1  # the test's own delivery; the poller sent no password


def test_plain_imap_polls_where_the_platform_allows_it(aim, dovecot, clock):
    mailbox, user = aim("plain", ca=False)
    assert _first_poll_then_two(mailbox, user, dovecot) == 2


def test_stored_mail_is_marked_seen(aim, dovecot, clock):
    mailbox, user = aim("starttls", imap_after_store="seen")
    assert _first_poll_then_two(mailbox, user, dovecot) == 2
    assert all("\\Seen" in flags for flags in dovecot.folder(user).values())
    assert len(dovecot.folder(user)) == 2


@pytest.mark.parametrize("with_move", [True, False])
def test_stored_mail_is_moved_to_a_chinese_named_folder_created_for_it(aim, dovecot, clock, monkeypatch, with_move):
    mailbox, user = aim("starttls", imap_after_store="move", imap_processed_folder="工单/已处理")
    if not with_move:
        real = imap._capabilities
        monkeypatch.setattr(imap, "_capabilities", lambda client: real(client) - {"MOVE"})
    assert _first_poll_then_two(mailbox, user, dovecot) == 2
    assert dovecot.folder(user) == {}
    assert len(dovecot.folder(user, imap.folder_name("工单/已处理"))) == 2
    assert imap.poll(Mailbox.objects.get(pk=mailbox.pk)) == 0 and InboundMail.objects.count() == 2


def test_mail_stored_before_a_crash_is_marked_on_the_next_poll_and_not_imported_again(aim, dovecot, clock,
                                                                                    monkeypatch):
    mailbox, user = aim("starttls", imap_after_store="seen")
    assert imap.poll(mailbox) == 0
    dovecot.deliver(user, _mail(1))

    def connection_lost(*args, **kwargs):
        raise imaplib.IMAP4.abort("socket error: EOF")

    with monkeypatch.context() as patch:
        patch.setattr(imap, "_act", connection_lost)
        imap.poll(Mailbox.objects.get(pk=mailbox.pk))
    assert InboundMail.objects.count() == 1 and ImapPendingAction.objects.count() == 1
    assert [flags for flags in dovecot.folder(user).values()] == [set()]
    imap.poll(Mailbox.objects.get(pk=mailbox.pk))
    assert [flags for flags in dovecot.folder(user).values()] == [{"\\Seen"}]
    assert InboundMail.objects.count() == 1 and not ImapPendingAction.objects.exists()
