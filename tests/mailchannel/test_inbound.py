"""Inbound mail creates tickets, threads replies, keeps attachments, and never loses a message."""

from __future__ import annotations

from unittest import mock

from django.test import override_settings

from weibao.mailchannel.models import InboundMail, MailReference, OutboundMail
from weibao.mailchannel.services import inbound
from weibao.servicedesk.models import Attachment, Ticket, TicketEntry, TicketLink
from weibao.servicedesk.services import tickets


def test_new_mail_creates_an_email_ticket_for_the_sender(deliver, sample, contract, clock):
    stored = deliver(sample("foxmail_gbk.eml"))
    assert (stored.status, stored.outcome) == ("processed", "created")
    ticket = stored.ticket
    assert ticket.contract == contract
    assert ticket.channel == "email"
    assert ticket.subject == "社保查询页面打不开，朱镕基路办事大厅急"
    assert (ticket.requester_name, ticket.requester_email) == ("张三", "zhangsan@shilong.gov.cn")
    assert "王珺同志" in ticket.description
    assert ticket.clocks.exists()  # SLA clocks run like for any other channel
    assert MailReference.objects.filter(ticket=ticket, message_id=stored.message_id).exists()


def test_acknowledgement_mail_is_threaded_chinese_and_from_the_contract_sender(
    deliver, sample, mailoutbox, clock
):
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    [sent] = mailoutbox
    assert sent.to == ["zhangsan@shilong.gov.cn"]
    assert sent.subject.startswith(f"[{ticket.number}] 已受理：")
    assert "noreply@weibao.test" in sent.from_email and "石龙区政务服务运维服务台" in sent.from_email
    headers = sent.message()
    assert headers["In-Reply-To"] == "<202611230911585302150@shilong.gov.cn>"
    assert "<202611230911585302150@shilong.gov.cn>" in headers["References"]
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Reply-To"] == "support@weibao.test"
    assert f"工单号 {ticket.number}" in sent.body
    out = OutboundMail.objects.get(ticket=ticket)
    assert out.status == "sent" and headers["Message-ID"] == out.message_id


def test_reply_by_in_reply_to_threads_into_the_ticket_and_continues_it(
    deliver, sample, mailoutbox, engineer_on, clock
):
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    ack = OutboundMail.objects.get(ticket=ticket)
    tickets.transition(ticket, "assigned", by=engineer_on, assignee=engineer_on)
    tickets.transition(ticket, "in_progress", by=engineer_on)
    tickets.transition(ticket, "waiting", by=engineer_on, comment="请清除浏览器缓存后再试")
    reply = sample("reply_quoted.eml", ref=ack.message_id.strip("<>"))
    stored = deliver(reply)
    assert (stored.outcome, stored.ticket_id) == ("replied", ticket.pk)
    entry = TicketEntry.objects.filter(ticket=ticket, kind="reply").latest("id")
    assert entry.body == "好的，已经清除缓存再试，还是打不开。"  # the quoted notification is cut
    assert entry.author_name == "张三" and entry.public
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"  # the requester answered: the paused clock runs again
    assert Ticket.objects.count() == 1


def test_reply_to_a_resolved_ticket_reopens_it(deliver, sample, engineer_on, clock):
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    for to in ("assigned", "in_progress"):
        tickets.transition(ticket, to, by=engineer_on, assignee=engineer_on)
    tickets.transition(ticket, "resolved", by=engineer_on, comment="已修复")
    ack = OutboundMail.objects.get(ticket=ticket, kind="created")
    deliver(sample("reply_quoted.eml", ref=ack.message_id.strip("<>")))
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_ticket_number_in_the_subject_threads_only_for_the_requester_or_the_team(
    deliver, sample, clock
):
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    by_requester = sample("raw_gbk_headers.eml").replace(
        "电子证照无法下载".encode("gbk"), f"Re: [{ticket.number}] 补充".encode("gbk")
    ).replace(b"lisi@gov-dept.cn", b"zhangsan@shilong.gov.cn").replace(b"<raw8bit", b"<another")
    assert deliver(by_requester).ticket_id == ticket.pk
    by_stranger = sample("raw_gbk_headers.eml").replace(
        "电子证照无法下载".encode("gbk"), f"Re: [{ticket.number}] 补充".encode("gbk")
    )
    stranger = deliver(by_stranger)
    assert stranger.outcome == "created" and stranger.ticket_id != ticket.pk


def test_mail_to_a_closed_ticket_opens_a_new_linked_one(deliver, sample, engineer_on, clock):
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    for to in ("assigned", "in_progress"):
        tickets.transition(ticket, to, by=engineer_on, assignee=engineer_on)
    tickets.transition(ticket, "resolved", by=engineer_on, comment="已修复")
    tickets.transition(ticket, "closed", by=engineer_on)
    ack = OutboundMail.objects.filter(ticket=ticket).first()
    stored = deliver(sample("reply_quoted.eml", ref=ack.message_id.strip("<>")))
    assert stored.outcome == "created" and stored.ticket_id != ticket.pk
    assert TicketLink.objects.filter(from_ticket=stored.ticket, to_ticket=ticket).exists()


def test_attachments_and_inline_images_are_kept_on_the_ticket(deliver, sample, clock):
    ticket = deliver(sample("inline_image.eml")).ticket
    assert list(Attachment.objects.filter(ticket=ticket).values_list("name", "content_type")) == [
        ("截图.png", "image/png")
    ]
    forwarded = deliver(sample("forwarded_chain.eml")).ticket
    names = set(Attachment.objects.filter(ticket=forwarded).values_list("name", flat=True))
    assert names == {"公积金提取申请一直审核中.eml", "申请表.pdf"}


def test_automatic_mail_is_kept_but_makes_no_ticket_and_no_reply(deliver, sample, mailoutbox, clock):
    for name, outcome in [("qq_autoreply.eml", "auto_reply"), ("exchange_oof.eml", "auto_reply"),
                          ("bounce_postfix.eml", "bounce"), ("precedence_bulk.eml", "auto_reply")]:
        stored = deliver(sample(name))
        assert (stored.status, stored.outcome, stored.ticket_id) == ("ignored", outcome, None), name
        assert stored.reason
    assert Ticket.objects.count() == 0 and mailoutbox == []
    assert InboundMail.objects.count() == 4


def test_our_own_notification_coming_back_is_a_loop(deliver, sample, mailoutbox, clock):
    deliver(sample("foxmail_gbk.eml"))
    echoed = mailoutbox[0].message().as_bytes()
    stored = deliver(echoed)
    assert (stored.status, stored.outcome) == ("ignored", "loop")


def test_a_flood_from_one_sender_is_stopped_as_a_loop(deliver, sample, clock):
    raw = sample("raw_gbk_headers.eml")
    outcomes = [deliver(raw.replace(b"<raw8bit", f"<n{i}-".encode())).outcome for i in range(22)]
    assert outcomes[:20] == ["created"] * 20
    assert outcomes[20:] == ["loop", "loop"]


def test_the_same_message_twice_is_a_recorded_duplicate(deliver, sample, clock):
    first = deliver(sample("foxmail_gbk.eml"))
    again = deliver(sample("foxmail_gbk.eml"))
    assert (again.status, again.outcome) == ("ignored", "duplicate")
    assert Ticket.objects.count() == 1 and first.ticket_id


def test_a_failure_keeps_the_mail_and_the_sweep_retries_it(deliver, sample, clock):
    with mock.patch.object(inbound, "_new_ticket", side_effect=RuntimeError("database hiccup")):
        stored = deliver(sample("foxmail_gbk.eml"))
    assert stored.status == "failed" and "database hiccup" in stored.last_error
    assert stored.raw and Ticket.objects.count() == 0  # nothing half-written
    clock.advance(stored.next_attempt_at - clock.now())
    assert inbound.retry_due() == 1
    stored.refresh_from_db()
    assert (stored.status, stored.outcome) == ("processed", "created")


def test_unparseable_mail_still_becomes_a_ticket_with_a_note(deliver, sample, clock):
    stored = deliver(sample("broken.eml"))
    assert stored.status == "processed"
    assert stored.ticket.requester_email == "broken@example.cn"


def test_mail_stored_while_the_queue_is_down_is_processed_by_the_sweep(mailbox, sample, clock):
    stored = inbound.receive(mailbox, sample("foxmail_gbk.eml"), source="imap")  # on_commit never runs
    assert stored.status == "pending"
    clock.advance(stored.next_attempt_at - clock.now())
    inbound.retry_due()
    stored.refresh_from_db()
    assert stored.status == "processed"


def test_vendor_reply_is_mailed_to_the_requester_in_the_thread(
    deliver, sample, mailoutbox, engineer_on, django_capture_on_commit_callbacks, clock
):
    stored = deliver(sample("foxmail_gbk.eml"))
    ticket = stored.ticket
    with django_capture_on_commit_callbacks(execute=True):
        tickets.add_reply(ticket, "已定位为缓存服务器故障，正在恢复。", by=engineer_on)
        tickets.add_reply(ticket, "内部备注不外发", by=engineer_on, public=False)
    assert len(mailoutbox) == 2
    reply = mailoutbox[1]
    assert reply.subject.startswith(f"[{ticket.number}] 新回复：")
    assert "已定位为缓存服务器故障" in reply.body and "内部备注" not in reply.body
    assert reply.message()["In-Reply-To"] == stored.message_id
    assert mailoutbox[0].message()["Message-ID"] in reply.message()["References"]


def test_failed_sends_are_kept_and_retried(deliver, sample, mailoutbox, clock, settings):
    from weibao.mailchannel.services import outbound

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("connection refused")):
        ticket = deliver(sample("foxmail_gbk.eml")).ticket
    out = OutboundMail.objects.get(ticket=ticket)
    assert (out.status, out.attempts) == ("pending", 1) and "connection refused" in out.last_error
    clock.advance(out.next_attempt_at - clock.now())
    assert outbound.retry_due() == 1
    out.refresh_from_db()
    assert out.status == "sent" and len(mailoutbox) == 1


def test_no_notification_without_a_mailbox_or_requester_address(contract, engineer_on, mailoutbox, django_capture_on_commit_callbacks, clock):
    from weibao.servicedesk.services.defaults import install_defaults

    install_defaults(contract)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.create_ticket(contract, by=engineer_on, type="fault", priority="p3", channel="phone",
                              requester_name="张三", requester_email="z@example.cn", subject="无邮箱配置")
    assert mailoutbox == [] and OutboundMail.objects.count() == 0


def test_mail_never_threads_into_another_contracts_ticket(deliver, sample, other_mailbox, mailoutbox, clock):
    theirs = deliver(sample("foxmail_gbk.eml"), box=other_mailbox).ticket
    ack = OutboundMail.objects.get(ticket=theirs)
    mine = deliver(sample("reply_quoted.eml", ref=ack.message_id.strip("<>")))
    assert mine.ticket.contract_id != theirs.contract_id
    assert mine.outcome == "created"


def _engineer_reply(ticket, authentication_results: str = "") -> bytes:
    head = f"Authentication-Results: {authentication_results}\r\n" if authentication_results else ""
    return (
        f"{head}From: engineer@vendor.test\r\nTo: desk@shilong.test\r\n"
        f"Subject: Re: [{ticket.number}] 处理进展\r\nMessage-ID: <eng-{ticket.pk}@vendor.test>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n已经恢复，请再试一次。\r\n"
    ).encode()


def test_a_team_members_address_nobody_vouches_for_is_kept_as_an_internal_note(
    deliver, sample, engineer_on, mailoutbox, clock, settings
):
    settings.WEIBAO_MAIL_AUTHSERV_ID = "mx.shilong.test"
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    sent_before = len(mailoutbox)
    # Forged: no verdict at all, and a verdict written by the sender under another id.
    for results in ("", "mx.attacker.example; dmarc=pass header.from=vendor.test"):
        stored = deliver(_engineer_reply(ticket, results).replace(b"<eng-", f"<eng{len(results)}-".encode()))
        assert stored.ticket_id == ticket.pk
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    notes = ticket.entries.filter(body__contains="已经恢复")
    assert notes.count() == 2 and not notes.filter(public=True).exists()
    assert all(note.author is None and "发件人未验证" in note.author_name for note in notes)
    assert len(mailoutbox) == sent_before  # nothing went to the requester


def test_a_team_members_reply_the_receiving_server_verified_is_their_public_answer(
    deliver, sample, engineer_on, clock, settings
):
    settings.WEIBAO_MAIL_AUTHSERV_ID = "mx.shilong.test"
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    deliver(_engineer_reply(ticket, "mx.shilong.test; spf=pass smtp.mailfrom=vendor.test; "
                                    "dkim=pass header.d=vendor.test; dmarc=pass header.from=vendor.test"))
    ticket.refresh_from_db()
    reply = ticket.entries.get(body__contains="已经恢复")
    assert reply.public and reply.author == engineer_on
    assert ticket.first_response_at is not None


def test_dkim_for_another_domain_does_not_vouch_for_the_sender():
    from weibao.mailchannel.authentication import sender_verified

    with override_settings(WEIBAO_MAIL_AUTHSERV_ID="mx.shilong.test"):
        assert not sender_verified(
            {"authentication-results": "mx.shilong.test; dkim=pass header.d=attacker.example"},
            "engineer@vendor.test",
        )
        assert sender_verified(
            {"authentication-results": "mx.shilong.test; dkim=pass header.i=@vendor.test"},
            "engineer@vendor.test",
        )
    assert not sender_verified(
        {"authentication-results": "mx.shilong.test; dmarc=pass"}, "engineer@vendor.test"
    )  # no authserv-id configured: nobody is vouched for
