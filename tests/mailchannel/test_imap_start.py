"""A new mailbox or folder starts from now: mail already in the folder (read, archived,
years old) makes no tickets and no "已受理" notices, unless the project manager imports it
on purpose after seeing how many there are. Mail seen twice is recognised even without a
Message-ID, by its sender, date, subject and body."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest

from tests.mailchannel.test_transport import FakeImap, positioned
from weibao.audit.models import AuditRecord
from weibao.mailchannel import parsing
from weibao.mailchannel.models import InboundMail, Mailbox, OutboundMail
from weibao.mailchannel.services import imap
from weibao.mailchannel.services.inbound import retry_due
from weibao.servicedesk.models import Ticket


def _no_message_id(raw: bytes) -> bytes:
    lines = [line for line in raw.split(b"\n") if not line.lower().startswith(b"message-id:")]
    return b"\n".join(lines)


@pytest.fixture
def new_box(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="imap.example.cn", imap_user="desk", imap_password="secret")
    mailbox.refresh_from_db()
    return mailbox


def _settle(clock):
    clock.advance(timedelta(minutes=5))
    retry_due()


def test_a_new_mailbox_leaves_the_mail_already_there_alone(new_box, sample, clock, mailoutbox):
    server = FakeImap({1: sample("foxmail_gbk.eml"), 2: sample("outlook_html_only.eml")})
    assert imap.poll(new_box, connect=lambda box: server) == 0
    _settle(clock)
    assert not InboundMail.objects.exists() and not OutboundMail.objects.exists() and server.seen == set()
    server.messages[3] = sample("inline_image.eml")  # arrives after the mailbox was set up
    assert imap.poll(new_box, connect=lambda box: server) == 1
    assert InboundMail.objects.get().subject == parsing.peek(sample("inline_image.eml")).subject


def test_changing_the_folder_starts_that_folder_from_now_too(new_box, sample, clock):
    server = FakeImap({5: sample("foxmail_gbk.eml")})
    positioned(new_box, last_uid=5)
    archive = FakeImap({1: sample("outlook_html_only.eml"), 2: sample("inline_image.eml")})
    Mailbox.objects.filter(pk=new_box.pk).update(imap_folder="Archive/2025")
    new_box.refresh_from_db()
    assert imap.poll(new_box, connect=lambda box: archive) == 0
    # And back: INBOX is not fetched again from UID 1.
    Mailbox.objects.filter(pk=new_box.pk).update(imap_folder="INBOX")
    new_box.refresh_from_db()
    assert imap.poll(new_box, connect=lambda box: server) == 0
    assert not InboundMail.objects.exists()


def test_mail_without_message_id_fetched_twice_makes_one_ticket(new_box, sample, clock, mailoutbox):
    server = FakeImap({1: _no_message_id(sample("foxmail_gbk.eml")), 2: _no_message_id(sample("outlook_html_only.eml"))})
    positioned(new_box)
    assert imap.poll(new_box, connect=lambda box: server) == 2
    _settle(clock)
    server.validity = 8  # the server renumbered the folder: everything comes again
    assert imap.poll(new_box, connect=lambda box: server) == 2
    _settle(clock)
    assert Ticket.objects.count() == 2
    assert sorted(InboundMail.objects.values_list("outcome", flat=True)) == ["created", "created", "duplicate",
                                                                              "duplicate"]


def test_the_pm_previews_then_imports_existing_mail_since_a_date(new_box, sample, pm, client_for, clock,
                                                                 monkeypatch):
    server = FakeImap(
        {1: sample("foxmail_gbk.eml"), 2: sample("outlook_html_only.eml"), 3: sample("inline_image.eml")},
        dates={1: datetime.date(2025, 3, 1), 2: datetime.date(2026, 11, 20), 3: datetime.date(2026, 11, 23)},
    )
    monkeypatch.setattr(imap, "open_connection", lambda box: server)
    imap.poll(new_box)  # starts from now: UID 3 is the last one already there
    client = client_for(pm)
    url = f"/mail/mailboxes/{new_box.pk}/import/"
    preview = client.post(url, {"since": "2026-11-01"})
    assert preview.status_code == 200
    assert "2 封" in preview.content.decode() and not InboundMail.objects.exists()
    client.post(url, {"since": "2026-11-01", "confirm": "1"})
    assert sorted(InboundMail.objects.values_list("subject", flat=True)) == sorted(
        parsing.peek(server.messages[u]).subject for u in (2, 3)
    )
    record = AuditRecord.objects.get(action="mail.mailbox.import")
    assert record.detail["since"] == "2026-11-01" and record.detail["stored"] == 2
    # Importing again stores nothing new as a ticket: the copies are recognised.
    client.post(url, {"since": "2026-11-01", "confirm": "1"})
    _settle(clock)
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("since", ["", "2026-13-01", "１２３", "9999-01-01"])
def test_a_bad_import_date_names_the_field(new_box, pm, client_for, since, monkeypatch):
    monkeypatch.setattr(imap, "open_connection", lambda box: pytest.fail("connected with a bad date"))
    response = client_for(pm).post(f"/mail/mailboxes/{new_box.pk}/import/", {"since": since})
    assert response.status_code == 400 and "since" in response.content.decode()


def test_another_contracts_pm_cannot_import_into_this_mailbox(new_box, outsider, client_for):
    response = client_for(outsider).post(f"/mail/mailboxes/{new_box.pk}/import/", {"since": "2026-11-01"})
    assert response.status_code == 404


def test_a_copy_loaded_before_the_first_poll_does_not_start_over(new_box, sample, clock):
    stale = Mailbox.objects.get(pk=new_box.pk)  # the worker's copy, loaded before the PM's poll
    server = FakeImap({1: sample("foxmail_gbk.eml")})
    assert imap.poll(new_box, connect=lambda box: server) == 0
    server.messages[2] = sample("outlook_html_only.eml")
    assert imap.poll(stale, connect=lambda box: server) == 1
