"""What the poller does with a message on the IMAP server once it is stored: leave it (the
default), mark it seen, or move it to a processed folder. A poller that dies between storing
and marking finishes the job on the next poll and imports nothing twice."""

from __future__ import annotations

import imaplib

import pytest

from tests.mailchannel.test_transport import FakeImap, positioned
from weibao.audit.models import AuditRecord
from weibao.mailchannel.models import ImapPendingAction, InboundMail, Mailbox
from weibao.mailchannel.services import imap


@pytest.fixture
def imap_box(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="imap.example.cn", imap_user="desk", imap_password="secret")
    mailbox.refresh_from_db()
    return positioned(mailbox)


def _choose(mailbox, after_store, folder="已处理"):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_after_store=after_store, imap_processed_folder=folder)
    mailbox.refresh_from_db()
    return mailbox


def _two(sample):
    return FakeImap({3: sample("foxmail_gbk.eml"), 4: sample("outlook_html_only.eml")})


def test_by_default_the_mail_on_the_server_is_left_as_it_is(imap_box, sample, clock):
    server = _two(sample)
    assert imap.poll(imap_box, connect=lambda box: server) == 2
    assert server.seen == set() and sorted(server.messages) == [3, 4] and server.commands == []
    assert not ImapPendingAction.objects.exists()


def test_stored_mail_can_be_marked_seen(imap_box, sample, clock):
    server = _two(sample)
    assert imap.poll(_choose(imap_box, "seen"), connect=lambda box: server) == 2
    assert server.seen == {3, 4} and sorted(server.messages) == [3, 4]
    assert not ImapPendingAction.objects.exists()


def test_stored_mail_is_moved_to_the_processed_folder_which_is_created(imap_box, sample, clock):
    server = _two(sample)
    assert imap.poll(_choose(imap_box, "move"), connect=lambda box: server) == 2
    assert server.messages == {} and len(server.folders["&XfJZBHQG-"]) == 2  # 已处理, modified UTF-7
    assert server.commands[0] == 'CREATE "&XfJZBHQG-"'
    assert [c for c in server.commands if c.startswith("UID")] == ['UID MOVE 3 "&XfJZBHQG-"', 'UID MOVE 4 "&XfJZBHQG-"']
    imap_box.refresh_from_db()
    assert imap_box.last_poll_error == "" and imap_box.imap_last_uid == 4


def test_without_move_the_server_copies_flags_and_expunges_only_ours(imap_box, sample, clock):
    server = FakeImap({2: sample("inline_image.eml"), 3: sample("foxmail_gbk.eml")}, capabilities="IMAP4rev1 UIDPLUS")
    server.deleted.add(2)  # somebody's own deleted mail, not yet expunged: not ours to expunge
    positioned(imap_box, last_uid=2)
    assert imap.poll(_choose(imap_box, "move", "Done"), connect=lambda box: server) == 1
    assert [c for c in server.commands if c.startswith("UID")] == ['UID COPY 3 "Done"', "UID EXPUNGE 3"]
    assert list(server.messages) == [2] and len(server.folders["Done"]) == 1


def test_without_uidplus_the_folder_is_expunged(imap_box, sample, clock):
    server = FakeImap({3: sample("foxmail_gbk.eml")}, capabilities="IMAP4rev1")
    assert imap.poll(_choose(imap_box, "move", "Done"), connect=lambda box: server) == 1
    assert "EXPUNGE" in server.commands and server.messages == {} and len(server.folders["Done"]) == 1


@pytest.mark.parametrize("after_store", ["seen", "move"])
def test_a_poller_that_died_after_storing_finishes_the_job_next_poll_and_imports_nothing_twice(
    imap_box, sample, clock, after_store
):
    server = _two(sample)
    real_uid = server.uid

    def connection_lost_before_marking(command, *args):
        if command in ("STORE", "MOVE"):
            raise imaplib.IMAP4.abort("socket error: EOF")
        return real_uid(command, *args)

    server.uid = connection_lost_before_marking
    imap.poll(_choose(imap_box, after_store), connect=lambda box: server)
    assert InboundMail.objects.count() == 1  # stored, then the connection was lost
    imap_box.refresh_from_db()
    assert imap_box.last_poll_error and imap_box.imap_last_uid == 3
    assert list(ImapPendingAction.objects.values_list("uid", flat=True)) == [3]

    server.uid = real_uid
    assert imap.poll(imap_box, connect=lambda box: server) == 1  # only 4 is new
    assert InboundMail.objects.count() == 2 and InboundMail.objects.values("subject").distinct().count() == 2
    if after_store == "seen":
        assert server.seen == {3, 4}
    else:
        assert server.messages == {} and len(server.folders["&XfJZBHQG-"]) == 2
    assert not ImapPendingAction.objects.exists()


def test_a_server_refusing_to_move_does_not_stop_mail_coming_in(imap_box, sample, clock):
    server = _two(sample)
    server.create = lambda folder: ("NO", [b"[NOPERM] no"])
    assert imap.poll(_choose(imap_box, "move"), connect=lambda box: server) == 2
    imap_box.refresh_from_db()
    assert "拒绝" in imap_box.last_poll_error and InboundMail.objects.count() == 2
    assert ImapPendingAction.objects.count() == 2
    del server.create  # the administrator allowed it: next poll moves both
    assert imap.poll(imap_box, connect=lambda box: server) == 0
    imap_box.refresh_from_db()
    assert imap_box.last_poll_error == "" and server.messages == {} and not ImapPendingAction.objects.exists()


def test_actions_recorded_for_another_folder_are_dropped_not_done_on_other_messages(imap_box, sample, clock):
    ImapPendingAction.objects.create(mailbox=imap_box, position="desk@imap.example.cn/Archive", uidvalidity=7,
                                     uid=3, action="seen")
    server = _two(sample)
    positioned(imap_box, last_uid=4)
    assert imap.poll(imap_box, connect=lambda box: server) == 0
    assert server.seen == set() and not ImapPendingAction.objects.exists()


def test_folder_names_are_modified_utf7_and_quoted():
    assert imap.folder_name("INBOX") == '"INBOX"'
    assert imap.folder_name("已处理") == '"&XfJZBHQG-"'
    assert imap.folder_name("R&D/工单 已处理") == '"R&-D/&XeVTVQ- &XfJZBHQG-"'
    assert imap.folder_name('a"b\\c') == '"a\\"b\\\\c"'


def _post(client, mailbox, **fields):
    data = {
        "address": mailbox.address, "sender_name": "", "sender_address": "", "default_type": "consultation",
        "default_priority": "p3", "active": "on", "imap_host": "imap.example.cn", "imap_port": "993",
        "imap_security": "tls", "imap_user": "desk", "imap_password": "", "imap_folder": "INBOX",
        "imap_ca_bundle": "", "imap_after_store": "leave", "imap_processed_folder": "已处理",
    }
    data.update(fields)
    return client.post(f"/mail/mailboxes/{mailbox.pk}/", data)


def test_the_pm_chooses_on_the_mailbox_page_and_the_change_is_audited(imap_box, pm, client_for):
    client = client_for(pm)
    response = _post(client, imap_box, imap_after_store="move", imap_processed_folder="工单/已处理")
    assert response.status_code == 302
    imap_box.refresh_from_db()
    assert (imap_box.imap_after_store, imap_box.imap_processed_folder) == ("move", "工单/已处理")
    record = AuditRecord.objects.filter(action="mail.mailbox.save").latest("pk")
    assert record.detail["after_store"] == {"from": "leave", "to": "move", "folder": "工单/已处理"}
    page = client.get("/mail/mailboxes/").content.decode()
    assert "移到已处理文件夹" in page and "工单/已处理" in page


def test_moving_into_the_folder_that_is_read_is_refused(imap_box, pm, client_for):
    response = _post(client_for(pm), imap_box, imap_after_store="move", imap_processed_folder="inbox")
    assert response.status_code == 200 and "不能是收信的文件夹" in response.content.decode()
    imap_box.refresh_from_db()
    assert imap_box.imap_after_store == "leave"
