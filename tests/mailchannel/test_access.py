"""Mail acts as Weibao itself or as the verified member who wrote: the service desk's
refusals never make a legitimate mail fail, and never let a mail do what its author may not."""

from __future__ import annotations

import pytest

from weibao.servicedesk.models import TicketEntry


def _reply_from(address: str, ticket, verified: bool = True) -> bytes:
    head = (
        "Authentication-Results: mx.shilong.test; spf=pass smtp.mailfrom=shilong.gov.cn; "
        "dkim=pass header.d=shilong.gov.cn; dmarc=pass header.from=shilong.gov.cn\r\n"
        if verified else ""
    )
    return (
        f"{head}From: {address}\r\nTo: support@weibao.test\r\n"
        f"Subject: Re: [{ticket.number}] 补充说明\r\nMessage-ID: <m-{ticket.pk}-{address}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n我们这边也还是打不开。\r\n"
    ).encode()


@pytest.mark.parametrize("role", ["bureau_viewer", "auditor"])
def test_a_verified_reply_of_a_member_who_may_not_reply_is_filed_in_their_name(
    deliver, sample, contract, make_member, clock, settings, role
):
    settings.WEIBAO_MAIL_AUTHSERV_ID = "mx.shilong.test"
    make_member(contract, role, username="leader", email="leader@shilong.gov.cn")
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    stored = deliver(_reply_from("leader@shilong.gov.cn", ticket))
    assert (stored.status, stored.outcome, stored.ticket_id) == ("processed", "replied", ticket.pk)
    reply = ticket.entries.get(body__contains="也还是打不开")
    assert reply.public and reply.author is None and "leader@shilong.gov.cn" in reply.author_name


def test_a_verified_liaison_replies_as_themselves_and_the_waiting_ticket_continues(
    deliver, sample, contract, make_member, engineer_on, clock, settings
):
    from weibao.servicedesk.services import tickets

    settings.WEIBAO_MAIL_AUTHSERV_ID = "mx.shilong.test"
    liaison = make_member(contract, "bureau_liaison", username="liaison", email="liaison@shilong.gov.cn")
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    tickets.transition(ticket, "assigned", by=engineer_on, assignee=engineer_on)
    tickets.transition(ticket, "in_progress", by=engineer_on)
    tickets.transition(ticket, "waiting", by=engineer_on, comment="请补充截图")
    deliver(_reply_from("liaison@shilong.gov.cn", ticket))
    ticket.refresh_from_db()
    assert ticket.entries.get(body__contains="也还是打不开").author == liaison
    assert ticket.status == "in_progress"


def test_refused_attachment_types_are_named_in_an_internal_note_by_the_mail_channel(deliver, clock):
    raw = (
        "From: zhangsan@shilong.gov.cn\r\nTo: support@weibao.test\r\nSubject: 附件\r\n"
        "Message-ID: <att-1@shilong.gov.cn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n请看附件\r\n"
        "--b\r\nContent-Type: application/x-msdownload\r\n"
        'Content-Disposition: attachment; filename="tool.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n"
        "--b--\r\n"
    ).encode()
    stored = deliver(raw)
    assert stored.status == "processed"
    note = TicketEntry.objects.get(ticket=stored.ticket, body__contains="未存为附件")
    assert (note.public, note.author, note.author_name) == (False, None, "邮件渠道")
    assert "tool.exe" in note.body


def test_an_administrators_leftover_membership_does_not_let_their_mail_into_a_ticket(
    deliver, sample, contract, make_member, clock, settings
):
    from weibao.accounts.models import AdminRoleGrant

    settings.WEIBAO_MAIL_AUTHSERV_ID = "mx.shilong.test"
    admin = make_member(contract, "project_manager", username="secadmin", email="secadmin@shilong.gov.cn")
    AdminRoleGrant.objects.create(user=admin, role="security_admin")  # a row written around the services
    ticket = deliver(sample("foxmail_gbk.eml")).ticket
    stored = deliver(_reply_from("secadmin@shilong.gov.cn", ticket))
    assert stored.outcome == "created" and stored.ticket_id != ticket.pk
    assert not ticket.entries.filter(body__contains="也还是打不开").exists()
