"""A Huey consumer (`weibao run_huey`) SIGKILLed while a job is in progress loses the
queue's message for that job; the outbox (stored events, stored mail) and the periodic
sweeps of a restarted consumer must still do the work, exactly once.

Runs with SqliteHuey (suite on SQLite) and with Redis (suite with REDIS_URL)."""

from __future__ import annotations

import time

import pytest

from .support import (
    busy_backends,
    create_ticket,
    hold_write_lock,
    kill,
    let_events_age,
    wait_for,
    waiting_inserts,
    work,
)

pytestmark = pytest.mark.faults

OUTBOX = "mailchannel_outboundmail"


def _sent(deployment, ticket):
    state = work(deployment, ticket)
    return state if state["mails"] and state["mails"][0]["status"] == "sent" else None


def test_a_worker_killed_mid_dispatch_runs_the_event_once_after_restart(deployment, smtp):
    """The ticket.created event's dispatch (row-locked event, subscriber storing the
    requester's mail) is in progress when the consumer is killed. Nothing of it stays;
    the restarted consumer's sweep dispatches it once: one stored mail, one delivery."""
    on_postgres = deployment.on_postgres
    created = time.monotonic()
    ticket = create_ticket(deployment, "分派途中被杀")  # its dispatch task waits in the queue

    with hold_write_lock(deployment, OUTBOX):
        worker = deployment.start_worker("worker-killed")
        if on_postgres:
            # The dispatch holds the event's row lock and has run the subscriber up to its
            # INSERT of the mail: killed in the middle of its transaction.
            wait_for(lambda: waiting_inserts(deployment, OUTBOX) >= 1, 60,
                     "the dispatch to reach the mail INSERT")
        else:
            # SQLite: the dispatch, taken off the queue, waits for the database's write lock.
            wait_for(lambda: "Executing weibao.core.tasks.dispatch_event" in deployment.log("worker-killed"),
                     60, "the consumer to start the dispatch")
            time.sleep(1)
        assert worker.poll() is None
        kill(worker)

    if on_postgres:  # the server sessions of the dead consumer see it gone and roll back
        wait_for(lambda: busy_backends(deployment) == 0, 30, "the killed consumer's sessions to end")
    state = work(deployment, ticket)
    assert [(e["type"], e["attempts"], e["dispatched_at"]) for e in state["events"]] == [
        ("ticket.created", 0, None)
    ], state
    assert state["mails"] == []

    let_events_age(created)
    deployment.start_worker()
    wait_for(lambda: _sent(deployment, ticket), 60, "the event's mail to be sent after the restart")
    time.sleep(2)  # anything run twice would show by now
    state = work(deployment, ticket)
    [event] = state["events"]
    assert event["dispatched_at"] and event["attempts"] == 1, event  # the killed run left no trace
    [mail] = state["mails"]
    assert mail["status"] == "sent" and mail["attempts"] == 1, mail
    assert smtp.delivered(mail["message_id"]) == 1


def test_a_worker_killed_mid_send_sends_the_mail_once_after_restart(deployment, smtp):
    """The SMTP server never greets; the consumer is killed while it waits. The mail stays
    claimed for one send timeout (it might still be on its way), then the restarted
    consumer's mail sweep sends it: one message arrives, the record says sent."""
    deployment.start_worker("worker-killed")
    wait_for(lambda: "Huey consumer started" in deployment.log("worker-killed"), 30, "the consumer")
    smtp.hung.clear()
    smtp.hang_next = True
    ticket = create_ticket(deployment, "发信途中被杀")
    assert smtp.hung.wait(60), "the worker never started sending:\n" + deployment.log("worker-killed")
    deployment.stop_all()  # SIGKILL, while the worker waits for the SMTP greeting

    state = work(deployment, ticket)
    [event] = state["events"]
    assert event["dispatched_at"] and event["attempts"] == 1, event
    [mail] = state["mails"]
    assert (mail["status"], mail["attempts"], mail["due"]) == ("pending", 1, False), mail
    assert smtp.delivered(mail["message_id"]) == 0

    # WEIBAO_EMAIL_TIMEOUT (3 s) + 10 s; a consumer's periodic tasks run at its start,
    # then once a minute: start it once the claim has lapsed instead of waiting a minute.
    wait_for(lambda: work(deployment, ticket)["mails"][0]["due"], 30, "the send claim to lapse")
    deployment.start_worker()
    wait_for(lambda: _sent(deployment, ticket), 60, "the mail to be sent after the restart")
    time.sleep(2)
    [mail] = work(deployment, ticket)["mails"]
    assert (mail["status"], mail["attempts"]) == ("sent", 2), mail  # the killed try, one resend
    assert smtp.delivered(mail["message_id"]) == 1
