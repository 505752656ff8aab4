"""Fault tests with real processes: a worker killed mid-job, PostgreSQL restarted under
gunicorn, Redis gone while the web tier serves.

Each test runs Weibao as separate processes (gunicorn, `weibao run_huey`) on its own
database (a temporary SQLite file, or a fresh PostgreSQL database when the suite runs on
PostgreSQL) and, when the suite runs with Redis, on a private redis-server. They wait for
real periodic ticks (once a minute), so they take a few minutes in all.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from . import support
from .support import Deployment, FakeSmtp, http, kill, wait_for

pytestmark = pytest.mark.faults

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
WITH_REDIS = bool(os.environ.get("REDIS_URL"))


@pytest.fixture(scope="module")
def smtp():
    server = FakeSmtp()
    yield server
    server.close()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, smtp):
    tmp = tmp_path_factory.mktemp("deployment")
    name = f"weibao_faults_{os.getpid()}"
    url = support.create_database(name) if ON_POSTGRES else f"sqlite:///{tmp / 'weibao.sqlite3'}"
    redis = None
    redis_url = ""
    if WITH_REDIS:
        port = support.free_port()
        redis = support.start_redis(port, tmp)
        redis_url = f"redis://127.0.0.1:{port}/0"
    deploy = Deployment(tmp=tmp, database_url=url, redis_url=redis_url, email_port=smtp.port)
    deploy.redis_proc = redis
    try:
        deploy.manage("migrate", "--no-input", timeout=600)
        deploy.seed = deploy.python(support.SEED)
        yield deploy
    finally:
        deploy.stop_all()
        if deploy.redis_proc is not None:
            kill(deploy.redis_proc)
        if ON_POSTGRES:
            if not support.postgres_up():
                support.postgres("start")
            support.drop_database(name)


CREATE_TICKET = """
import json
from weibao.contracts.models import Contract
from weibao.servicedesk.services.tickets import create_ticket
contract = Contract.objects.get(number="HT-FAULT-1")
ticket = create_ticket(contract, by=None, type="fault", priority="p3", channel="email",
    requester_name="张三", requester_email="zhangsan@example.cn", subject="%s")
print(json.dumps({"ticket": ticket.pk}))
"""

OUTBOUND = """
import json
from weibao.mailchannel.models import OutboundMail
from weibao.core.models import Event
mails = list(OutboundMail.objects.filter(ticket_id=%d).values("status", "attempts", "message_id"))
events = list(Event.objects.filter(object_id="%d").values_list("type", "dispatched_at"))
print(json.dumps({"mails": mails, "events": [[t, bool(d)] for t, d in events]}))
"""


def test_a_worker_killed_mid_send_delivers_the_mail_once_after_restart(deployment, smtp):
    """The notification's SMTP server never answers; the worker is SIGKILLed while it waits.
    After a restart the periodic sweep sends the mail: one message arrives, the record says sent."""
    smtp.hang_next = True
    smtp.hung.clear()
    worker = deployment.start_worker()
    try:
        ticket = deployment.python(CREATE_TICKET % "worker kill")["ticket"]
        assert smtp.hung.wait(90), "the worker never started sending:\n" + deployment.log("worker")
        kill(worker)
        state = deployment.python(OUTBOUND % (ticket, ticket))
        assert [m["status"] for m in state["mails"]] == ["pending"]
        assert smtp.messages == []

        deployment.start_worker()
        wait_for(
            lambda: deployment.python(OUTBOUND % (ticket, ticket))["mails"][0]["status"] == "sent",
            180, "the mail to be sent after the restart",
        )
        time.sleep(3)  # anything sent twice would have arrived by now
        state = deployment.python(OUTBOUND % (ticket, ticket))
        [mail] = state["mails"]
        delivered = [m for m in smtp.messages if mail["message_id"].encode() in m]
        assert len(delivered) == 1
        assert state["events"] == [["ticket.created", True]]
    finally:
        deployment.stop_all()


TICKET_COUNTS = """
import json
from weibao.servicedesk.models import Ticket, TicketEntry, SlaClock
from weibao.audit.models import AuditRecord
tickets = list(Ticket.objects.values_list("pk", flat=True))
incomplete = [pk for pk in tickets if not TicketEntry.objects.filter(ticket_id=pk).exists()
              or not SlaClock.objects.filter(ticket_id=pk).exists()
              or not AuditRecord.objects.filter(action="ticket.create", object_id=str(pk)).exists()]
print(json.dumps({"tickets": tickets, "incomplete": incomplete}))
"""


def _create(base: str, token: str, contract: int, subject: str):
    return http("POST", f"{base}/api/v1/tickets/", {
        "contract": contract, "type": "fault", "priority": "p3", "channel": "api",
        "subject": subject, "requester_name": "李四",
    }, token=token, timeout=20)


@pytest.mark.skipif(not ON_POSTGRES, reason="restarts PostgreSQL: runs when the suite runs on PostgreSQL")
def test_postgresql_restart_under_gunicorn_gives_clean_503s_and_recovers_alone(deployment):
    from django.db import connections

    port = support.free_port()
    base = f"http://127.0.0.1:{port}"
    deployment.start_web(port)
    token, contract = deployment.seed["token"], deployment.seed["contract"]
    existing = len(deployment.python(TICKET_COUNTS)["tickets"])
    assert _create(base, token, contract, "before")[0] == 201

    results: list[tuple[int, str]] = []
    stop = threading.Event()

    def traffic():
        n = 0
        while not stop.is_set():
            n += 1
            try:
                results.append(_create(base, token, contract, f"during {n}"))
            except Exception as exc:  # noqa: BLE001 - a timeout is a failure, recorded
                results.append((0, repr(exc)))
            time.sleep(0.05)

    threads = [threading.Thread(target=traffic) for _ in range(3)]
    connections.close_all()
    try:
        for thread in threads:
            thread.start()
        time.sleep(1)
        support.postgres("stop")
        time.sleep(1)
        status, body = http("GET", f"{base}/readyz")
        assert status == 503 and '"database"' in body
        status, body = http("GET", f"{base}/api/v1/tickets/?contract={contract}", token=token)
        assert status == 503 and "service_unavailable" in body
        assert http("GET", f"{base}/healthz")[0] == 200  # liveness does not depend on the database
        support.postgres("start")
        wait_for(lambda: http("GET", f"{base}/readyz")[0] == 200, 60, "/readyz to recover")
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        if not support.postgres_up():
            support.postgres("start")
        connections.close_all()

    statuses = [status for status, _ in results]
    print(f"during the restart: {statuses.count(201)} created (201), {statuses.count(503)} refused (503)")
    assert 503 in statuses and 201 in statuses, statuses
    assert set(statuses) <= {201, 503}, [r for r in results if r[0] not in (201, 503)][:3]
    assert _create(base, token, contract, "after")[0] == 201  # no restart of gunicorn needed
    state = deployment.python(TICKET_COUNTS)
    assert state["incomplete"] == []  # nothing half-written
    # Every 201 is a ticket, every 503 left none: before + during + after.
    assert len(state["tickets"]) == existing + 1 + statuses.count(201) + 1


EVENTS = """
import json
from weibao.core.models import Event
from weibao.mailchannel.models import OutboundMail
print(json.dumps({
    "undispatched": Event.objects.filter(object_id="%d", dispatched_at__isnull=True).count(),
    "mails": list(OutboundMail.objects.filter(ticket_id=%d).values_list("status", flat=True)),
}))
"""


@pytest.mark.skipif(not WITH_REDIS, reason="needs Redis: runs when the suite runs with REDIS_URL")
def test_without_redis_the_web_tier_serves_and_queued_work_is_done_later(deployment, smtp):
    port = support.free_port()
    base = f"http://127.0.0.1:{port}"
    redis_port = int(deployment.redis_url.rsplit(":", 1)[1].split("/")[0])
    deployment.start_web(port)
    kill(deployment.redis_proc)
    try:
        status, body = http("GET", f"{base}/readyz")
        assert status == 503 and '"queue"' in body and '"database": "ok"' in body
        token, contract = deployment.seed["token"], deployment.seed["contract"]
        status, body = http("POST", f"{base}/api/v1/tickets/", {
            "contract": contract, "type": "fault", "priority": "p3", "channel": "api",
            "subject": "Redis 停了", "requester_name": "王五", "requester_email": "wangwu@example.cn",
        }, token=token, timeout=20)
        assert status == 201, body
        ticket = int(body.split('"id":', 1)[1].split(",", 1)[0])
        assert http("GET", f"{base}/api/v1/tickets/{ticket}/", token=token)[0] == 200
        assert deployment.python(EVENTS % (ticket, ticket)) == {"undispatched": 1, "mails": []}
    finally:
        deployment.redis_proc = support.start_redis(redis_port, deployment.tmp)
    wait_for(lambda: http("GET", f"{base}/readyz")[0] == 200, 30, "/readyz once Redis is back")
    deployment.start_worker()
    wait_for(
        lambda: deployment.python(EVENTS % (ticket, ticket)) == {"undispatched": 0, "mails": ["sent"]},
        180, "the stored event to be dispatched and its mail sent",
    )
    deployment.stop_all()
