"""One poll of a mailbox at a time: the project manager's 立即收信 while the worker polls
stores nothing twice; a poller that died leaves a lease that runs out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.mailchannel.test_transport import FakeImap, positioned
from weibao.core import clock as weibao_clock
from weibao.mailchannel.models import InboundMail, Mailbox
from weibao.mailchannel.services import imap


@pytest.fixture
def imap_box(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="imap.example.cn", imap_user="desk", imap_password="secret")
    mailbox.refresh_from_db()
    return positioned(mailbox)


def test_a_second_poll_while_one_runs_stores_nothing(imap_box, sample, clock):
    server = FakeImap({3: sample("foxmail_gbk.eml"), 4: sample("outlook_html_only.eml")})
    real_uid = server.uid
    overlapping = []

    def fetch_while_another_poll_starts(command, *args):
        if command == "FETCH" and not overlapping:
            # The project manager presses 立即收信 while the worker is fetching.
            other = Mailbox.objects.get(pk=imap_box.pk)
            with pytest.raises(imap.PollInProgress):
                imap.poll(other, connect=lambda box: FakeImap(dict(server.messages)))
            overlapping.append(True)
        return real_uid(command, *args)

    server.uid = fetch_while_another_poll_starts
    assert imap.poll(imap_box, connect=lambda box: server) == 2
    assert overlapping and InboundMail.objects.count() == 2
    # Once the first poll is done, the next one runs (and finds nothing new).
    assert imap.poll(Mailbox.objects.get(pk=imap_box.pk), connect=lambda box: server) == 0


def test_a_poll_reads_where_the_last_one_stopped_not_a_stale_copy(imap_box, sample, clock):
    stale = Mailbox.objects.get(pk=imap_box.pk)  # loaded by the worker before the PM's poll
    server = FakeImap({3: sample("foxmail_gbk.eml")})
    assert imap.poll(imap_box, connect=lambda box: server) == 1
    assert imap.poll(stale, connect=lambda box: server) == 0
    assert InboundMail.objects.count() == 1


def test_the_lease_of_a_poller_that_died_runs_out(imap_box, sample, clock):
    Mailbox.objects.filter(pk=imap_box.pk).update(imap_polling_until=weibao_clock.now() + timedelta(minutes=5))
    server = FakeImap({3: sample("foxmail_gbk.eml")})
    with pytest.raises(imap.PollInProgress):
        imap.poll(imap_box, connect=lambda box: server)
    clock.advance(timedelta(minutes=6))
    assert imap.poll(imap_box, connect=lambda box: server) == 1


def test_the_worker_passes_over_a_mailbox_being_polled(imap_box, monkeypatch, clock):
    Mailbox.objects.filter(pk=imap_box.pk).update(imap_polling_until=weibao_clock.now() + timedelta(minutes=5))
    monkeypatch.setattr(imap, "open_connection", lambda box: pytest.fail("connected during another poll"))
    assert imap.poll_all() == 0


def test_poll_now_while_a_poll_runs_says_so(imap_box, pm, client_for, monkeypatch, clock):
    Mailbox.objects.filter(pk=imap_box.pk).update(imap_polling_until=weibao_clock.now() + timedelta(minutes=5))
    monkeypatch.setattr(imap, "open_connection", lambda box: pytest.fail("connected during another poll"))
    response = client_for(pm).post(f"/mail/mailboxes/{imap_box.pk}/poll/", follow=True)
    assert "正在收信" in response.content.decode()
