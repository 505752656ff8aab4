"""The services the hotline and mail channels use instead of writing ticket rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from weibao.servicedesk.models import Status, Ticket, TicketEntry
from weibao.servicedesk.services import tickets


@pytest.fixture
def call_ticket(contract, desk, pm, clock):
    return _ticket(contract, pm)


def _ticket(contract, by):
    return tickets.create_ticket(
        contract, by=by, type="consultation", priority="p4", channel="phone",
        subject="社保查询", description="如何查询社保缴费记录", requester_name="张三",
        requester_phone="13812345678",
    )


def test_a_call_answered_on_first_contact_is_closed_with_the_answer_in_one_call(call_ticket, agent):
    ticket = tickets.close_on_first_contact(call_ticket, "在“我的社保”页面可查。", by=agent)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == Status.CLOSED
    assert stored.assignee == agent
    assert stored.first_contact_resolved is True
    assert stored.resolved_at is not None and stored.first_response_at is not None
    reply = stored.entries.get(kind=TicketEntry.Kind.REPLY)
    assert reply.public and reply.body == "在“我的社保”页面可查。" and reply.author == agent


def test_closing_on_first_contact_needs_an_answer(call_ticket, agent):
    with pytest.raises(ValidationError) as refused:
        tickets.close_on_first_contact(call_ticket, "  ", by=agent)
    assert "answer" in refused.value.message_dict
    assert Ticket.objects.get(pk=call_ticket.pk).status == Status.NEW


def test_closing_on_first_contact_is_refused_to_who_may_not_work_tickets(call_ticket, contract, make_member):
    viewer = make_member(contract, "bureau_viewer", username="viewer")
    with pytest.raises(PermissionDenied):
        tickets.close_on_first_contact(call_ticket, "答复", by=viewer)
    stored = Ticket.objects.get(pk=call_ticket.pk)
    assert stored.status == Status.NEW and not stored.first_contact_resolved


def test_the_call_times_are_kept_on_the_ticket(call_ticket, clock):
    ended = clock.now()
    started = ended - dt.timedelta(minutes=4)
    tickets.record_call(call_ticket, started_at=started, ended_at=ended)
    stored = Ticket.objects.get(pk=call_ticket.pk)
    assert (stored.call_started_at, stored.call_ended_at) == (started, ended)


def test_a_call_that_ends_before_it_starts_is_refused(call_ticket, clock):
    with pytest.raises(ValidationError) as refused:
        tickets.record_call(call_ticket, started_at=clock.now(), ended_at=clock.now() - dt.timedelta(minutes=1))
    assert "started_at" in refused.value.message_dict
