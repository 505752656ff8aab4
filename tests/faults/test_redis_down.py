"""Redis (the queue) gone while gunicorn serves: the web tier keeps working, the work is
kept in the database's outbox, and a consumer does it once Redis is back."""

from __future__ import annotations

import time

import pytest

from .support import WITH_REDIS, http, kill, let_events_age, start_redis, wait_for, work

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not WITH_REDIS, reason="takes Redis away: runs only when REDIS_URL is set"),
]


def _expect_done_once(deployment, smtp, ticket: int, what: str) -> None:
    """The ticket's event dispatched in one attempt and its mail delivered exactly once."""

    def done():
        state = work(deployment, ticket)
        return state if state["mails"] and state["mails"][0]["status"] == "sent" else None

    wait_for(done, 60, what)
    time.sleep(2)  # a duplicate delivery would show up by now
    state = work(deployment, ticket)
    [event] = state["events"]
    assert event["dispatched_at"] and event["attempts"] == 1, event
    [mail] = state["mails"]
    assert smtp.delivered(mail["message_id"]) == 1


def test_without_redis_the_web_tier_serves_and_the_work_is_done_once_redis_is_back(deployment, smtp):
    seed = deployment.seed
    redis_port = int(deployment.redis_url.rsplit(":", 1)[1].split("/")[0])
    web, base = deployment.start_web()
    assert http("GET", f"{base}/readyz").status == 200
    kill(deployment.redis_proc)  # the queue goes away under a running gunicorn
    try:
        readyz = http("GET", f"{base}/readyz")
        assert readyz.status == 503, readyz
        assert readyz.json()["queue"] != "ok" and readyz.json()["database"] == "ok", readyz.body

        page = http("GET", f"{base}/", cookie=seed["cookie"], accept="text/html")
        assert page.status == 200 and "HT-FAULT-1" in page.body, page.status
        started = time.monotonic()
        created = http("POST", f"{base}/api/v1/tickets/", {
            "contract": seed["contract"], "type": "fault", "priority": "p3", "channel": "api",
            "subject": "Redis 停了", "requester_name": "王五", "requester_email": "wangwu@example.cn",
        }, token=seed["token"], timeout=20)
        assert created.status == 201, created
        assert time.monotonic() - started < 10
        ticket = created.json()["id"]
        listed = http("GET", f"{base}/api/v1/tickets/?contract={seed['contract']}", token=seed["token"])
        assert listed.status == 200 and str(ticket) in listed.body
        assert http("GET", f"{base}/tickets/{ticket}/", cookie=seed["cookie"], accept="text/html").status == 200

        state = work(deployment, ticket)  # kept in the outbox, not lost with the queue
        assert [(e["type"], e["dispatched_at"]) for e in state["events"]] == [("ticket.created", None)]
        assert state["mails"] == []
    finally:
        deployment.redis_proc = start_redis(redis_port, deployment.tmp)

    wait_for(lambda: http("GET", f"{base}/readyz").status == 200, 30, "/readyz once Redis is back")
    assert web.poll() is None  # no restart of the web tier needed
    let_events_age(started)
    deployment.start_worker()  # a consumer's sweep dispatches what the web tier could not queue

    _expect_done_once(deployment, smtp, ticket, "the stored event to be dispatched and its mail sent")


def test_work_queued_in_redis_when_it_dies_is_still_done_once(deployment, smtp):
    """Redis keeps nothing on disk: a task queued, then Redis restarted empty, is gone
    from the queue. The event it was for is still in the outbox, and the sweep sends it."""
    seed = deployment.seed
    redis_port = int(deployment.redis_url.rsplit(":", 1)[1].split("/")[0])
    web, base = deployment.start_web()
    started = time.monotonic()
    created = http("POST", f"{base}/api/v1/tickets/", {
        "contract": seed["contract"], "type": "fault", "priority": "p3", "channel": "api",
        "subject": "排队中的任务随 Redis 丢失", "requester_name": "赵六", "requester_email": "zhaoliu@example.cn",
    }, token=seed["token"])
    assert created.status == 201, created
    ticket = created.json()["id"]
    # Queued (no consumer yet): the event waits in Redis and in the outbox.
    assert [e["dispatched_at"] for e in work(deployment, ticket)["events"]] == [None]
    kill(deployment.redis_proc)
    deployment.redis_proc = start_redis(redis_port, deployment.tmp)  # back, and empty
    wait_for(lambda: http("GET", f"{base}/readyz").status == 200, 30, "/readyz with the new Redis")
    let_events_age(started)
    deployment.start_worker()

    _expect_done_once(deployment, smtp, ticket, "the event lost from the queue to be swept and its mail sent")
    assert web.poll() is None
