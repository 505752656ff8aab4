"""A call form is logged once whatever happens: a double submit (Alt+F and its accesskey),
a retry after a network error, or the same form sent from a second tab all return the
first ticket (the form's submission key, checked on the server)."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError

from weibao.hotline import services
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import submissions


@pytest.fixture
def screen(agent, client_for, desk):
    return client_for(agent)


def _key(page: str) -> str:
    return page.split('name="submission_key" value="')[1].split('"')[0]


CALL = {"phone": "13912345678", "question": "电子证照亮证失败", "answer": "已记录", "outcome": "follow_up"}


def test_each_drawn_call_form_carries_its_own_key(screen):
    first, second = (_key(screen.get("/hotline/").content.decode()) for _ in range(2))
    assert uuid.UUID(first) and uuid.UUID(second) and first != second


def test_the_same_form_sent_twice_makes_one_ticket_and_says_so(screen):
    key = _key(screen.get("/hotline/").content.decode())
    assert screen.post("/hotline/", CALL | {"submission_key": key}).status_code == 302
    again = screen.post("/hotline/", CALL | {"submission_key": key}, follow=True)
    ticket = Ticket.objects.get()
    page = again.content.decode()
    assert "已记录过" in page and ticket.number in page
    assert Ticket.objects.count() == 1
    screen.post("/hotline/", CALL | {"submission_key": key, "outcome": "answered"})  # a second tab
    assert Ticket.objects.count() == 1
    assert 'id="agent-day"' in page and "<strong>1</strong>" in page.split('id="agent-day"')[1]


def test_a_new_form_logs_a_new_call(screen):
    for _ in range(2):
        key = _key(screen.get("/hotline/").content.decode())
        screen.post("/hotline/", CALL | {"submission_key": key})
    assert Ticket.objects.count() == 2


def test_the_key_is_the_agents_own(contract, make_member, client_for, screen, desk):
    colleague = client_for(make_member(contract, "hotline_agent", username="agent2"))
    key = _key(screen.get("/hotline/").content.decode())
    screen.post("/hotline/", CALL | {"submission_key": key})
    colleague.post("/hotline/", CALL | {"submission_key": key})  # a copied key logs the colleague's call
    assert Ticket.objects.count() == 2


def test_a_form_with_errors_keeps_its_key(screen):
    key = _key(screen.get("/hotline/").content.decode())
    response = screen.post("/hotline/", CALL | {"submission_key": key, "outcome": "answered", "answer": ""})
    assert response.status_code == 200 and _key(response.content.decode()) == key
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("bad", ["not-a-key", "１２３", "x" * 500, "{12345678-1234-5678-1234-567812345678}x"])
def test_a_malformed_key_is_a_named_field_error(screen, bad):
    response = screen.post("/hotline/", CALL | {"submission_key": bad})
    assert response.status_code == 200
    body = response.content.decode()
    assert "submission_key" in body and "电子证照亮证失败" in body
    assert not Ticket.objects.exists()


def test_the_service_returns_the_first_ticket_for_the_same_key(contract, desk, agent):
    call = services.Call(phone="13912345678", name="", organisation="", question="亮证失败", answer="",
                         started_at=None)
    key = uuid.uuid4()
    first = services.log_call(contract, call, services.FOLLOW_UP, agent=agent, submission_key=key)
    second = services.log_call(contract, call, services.ANSWERED, agent=agent, submission_key=key)
    assert first.pk == second.pk and not second.first_contact_resolved
    assert Ticket.objects.count() == 1


def test_a_concurrent_duplicate_returns_the_ticket_that_won(contract, desk, agent, monkeypatch):
    """Two requests with one key pass the look-up together; the unique constraint stops the
    second insert, which then answers with the first request's ticket."""
    call = services.Call(phone="13912345678", name="", organisation="", question="亮证失败", answer="",
                         started_at=None)
    key = uuid.uuid4()
    winner = services.log_call(contract, call, services.FOLLOW_UP, agent=agent, submission_key=key)
    monkeypatch.setattr(submissions, "_earlier", lambda contract, by, key: None)  # the look-up raced
    loser = services.log_call(contract, call, services.FOLLOW_UP, agent=agent, submission_key=key)
    assert loser.pk == winner.pk and Ticket.objects.count() == 1


def test_the_database_refuses_a_second_ticket_with_the_same_key(contract, desk, agent):
    key = uuid.uuid4()
    ticket = Ticket.objects.get(pk=services.log_call(
        contract, services.Call(phone="", name="", organisation="", question="q", answer="", started_at=None),
        services.FOLLOW_UP, agent=agent, submission_key=key).pk)
    ticket.pk = None
    ticket.number = "SL-2026-999999"
    with pytest.raises(IntegrityError):
        ticket.save()
