"""The ticket services refuse by themselves (issue 12): a caller that forgets to check
— a task, a mail, a later app — still cannot act without the capability."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.servicedesk.models import SlaPolicy, Status, Ticket, TicketEntry, Worklog
from weibao.servicedesk.services import attachments, policies, tickets


@pytest.fixture
def ticket(contract, desk, pm, clock):
    return tickets.create_ticket(
        contract, by=pm, type="fault", priority="p2", channel="phone", subject="登录失败",
        description="证书错误", requester_name="张三", requester_phone="13812345678", needs_onsite=True,
    )


def _other(contract, pm):
    return tickets.create_ticket(
        contract, by=pm, type="fault", priority="p3", channel="phone", subject="另一张",
        description="x", requester_name="李四",
    )


ACTIONS = {
    "transition": lambda t, by, pm: tickets.transition(t, Status.CANCELLED, by=by, comment="x"),
    "update_ticket": lambda t, by, pm: tickets.update_ticket(t, by=by, priority="p1"),
    "add_reply": lambda t, by, pm: tickets.add_reply(t, "回复", by=by, public=True),
    "internal note": lambda t, by, pm: tickets.add_reply(t, "内部", by=by, public=False),
    "add_attachment": lambda t, by, pm: attachments.add_attachment(
        t, SimpleUploadedFile("a.txt", b"hello", "text/plain"), by=by),
    "add_worklog": lambda t, by, pm: tickets.add_worklog(t, by=by, minutes=30),
    "record_arrival": lambda t, by, pm: tickets.record_arrival(t, by=by),
    "link": lambda t, by, pm: tickets.link(t, _other(t.contract, pm), by=by),
    "reveal_phone": lambda t, by, pm: tickets.reveal_phone(t, by=by),
    "close_on_first_contact": lambda t, by, pm: tickets.close_on_first_contact(t, "答复", by=by),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_the_bureau_viewer_is_refused_by_the_service_itself(action, ticket, viewer, pm):
    with pytest.raises(PermissionDenied):
        ACTIONS[action](ticket, viewer, pm)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_member_of_another_contract_is_refused_by_the_service_itself(action, ticket, outsider, pm):
    with pytest.raises(PermissionDenied):
        ACTIONS[action](ticket, outsider, pm)


def test_a_refused_action_leaves_the_ticket_as_it_was(ticket, viewer):
    with pytest.raises(PermissionDenied):
        tickets.transition(ticket, Status.CANCELLED, by=viewer, comment="x")
    with pytest.raises(PermissionDenied):
        tickets.add_worklog(ticket, by=viewer, minutes=30)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == Status.NEW
    assert not Worklog.objects.filter(ticket=ticket).exists()
    assert list(stored.entries.values_list("kind", flat=True)) == [TicketEntry.Kind.TRANSITION]


def test_the_liaison_may_reply_but_an_internal_note_is_refused_not_published(ticket, liaison):
    tickets.add_reply(ticket, "请尽快", by=liaison, public=True)
    with pytest.raises(PermissionDenied, match="内部备注仅限乙方团队"):
        tickets.add_reply(ticket, "别告诉请求人", by=liaison, public=False)
    assert not ticket.entries.filter(body="别告诉请求人").exists()


def test_opening_a_ticket_is_refused_to_the_bureau_viewer(contract, desk, viewer):
    with pytest.raises(PermissionDenied):
        tickets.create_ticket(
            contract, by=viewer, type="fault", priority="p3", channel="phone", subject="x",
            description="x", requester_name="李四",
        )
    assert not Ticket.objects.exists()


def test_only_the_bureau_urges(ticket, engineer, liaison):
    with pytest.raises(PermissionDenied, match="只有甲方人员可以督办"):
        tickets.urge(ticket, by=engineer)
    assert tickets.urge(ticket, by=liaison).urged_count == 1


def test_weibao_itself_acts_without_a_user(ticket):
    tickets.add_reply(ticket, "邮件渠道备注", by=None, public=False, author_name="邮件渠道")
    tickets.transition(ticket, Status.CANCELLED, by=None, comment="重复")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CANCELLED


def test_an_sla_policy_is_changed_only_by_who_manages_the_sla(ticket, engineer, pm):
    policy = SlaPolicy.objects.filter(contract=ticket.contract).first()
    with pytest.raises(PermissionDenied):
        policies.update_policy(policy, by=engineer, warn_percent=50)
    assert policies.update_policy(policy, by=pm, warn_percent=50).warn_percent == 50
