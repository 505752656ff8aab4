"""PostgreSQL stopped and started again while gunicorn serves API and browser traffic."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .support import ensure_postgres_running, http, pg_ctl, restarts_postgres_marks

pytestmark = restarts_postgres_marks()

OUTAGE_TEXT = "数据库暂时不可用"

# Every ticket complete (history entry, SLA clocks, audit record, its event), and the
# gap-free numbering intact: a rolled-back creation used no number.
TICKETS = """
import json
from weibao.audit.models import AuditRecord
from weibao.core.models import Event
from weibao.servicedesk.models import SlaClock, Ticket, TicketCounter, TicketEntry
tickets = list(Ticket.objects.order_by("pk").values_list("pk", "number"))
incomplete = [pk for pk, _ in tickets
    if not TicketEntry.objects.filter(ticket_id=pk).exists()
    or not SlaClock.objects.filter(ticket_id=pk).exists()
    or not AuditRecord.objects.filter(action="ticket.create", object_id=str(pk)).exists()
    or not Event.objects.filter(type="ticket.created", object_id=str(pk)).exists()]
numbers = sorted(int(number.rsplit("-", 1)[1]) for _, number in tickets)
print(json.dumps({
    "count": len(tickets), "incomplete": incomplete,
    "gap_free": numbers == list(range(1, len(numbers) + 1)),
    "counter": sum(TicketCounter.objects.values_list("last", flat=True)),
    "orphans": {
        "entries": TicketEntry.objects.exclude(ticket_id__in=[pk for pk, _ in tickets]).count(),
        "audit": AuditRecord.objects.filter(action="ticket.create")
            .exclude(object_id__in=[str(pk) for pk, _ in tickets]).count(),
    },
}))
"""


def _create(base, seed, subject):
    return http("POST", f"{base}/api/v1/tickets/", {
        "contract": seed["contract"], "type": "fault", "priority": "p3", "channel": "api",
        "subject": subject, "requester_name": "李四",
    }, token=seed["token"], timeout=20)


def _home(base, seed):
    return http("GET", f"{base}/", cookie=seed["cookie"], accept="text/html", timeout=20)


def test_postgresql_restart_under_gunicorn_gives_clean_503s_and_recovers_alone(deployment):
    from django.db import connections

    seed = deployment.seed
    web, base = deployment.start_web()
    before = deployment.python(TICKETS)
    assert _create(base, seed, "before").status == 201
    home = _home(base, seed)
    assert home.status == 200 and "HT-FAULT-1" in home.body, home.status

    results: list[tuple[int, float, str]] = []
    stop = threading.Event()

    def traffic(worker: int):
        n = 0
        while not stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                response = _create(base, seed, f"during {worker}-{n}")
                results.append((response.status, time.monotonic() - started, response.body[:300]))
            except Exception as exc:  # a hang past the timeout or a dropped connection
                results.append((0, time.monotonic() - started, repr(exc)))
            time.sleep(0.05)

    threads = [threading.Thread(target=traffic, args=(i,), daemon=True) for i in range(3)]
    outage = {}
    connections.close_all()  # this process's own connections must not die with the server
    try:
        for thread in threads:
            thread.start()
        time.sleep(1)
        pg_ctl("stop")
        time.sleep(0.5)
        outage["readyz"] = http("GET", f"{base}/readyz")
        outage["api"] = http("GET", f"{base}/api/v1/tickets/?contract={seed['contract']}", token=seed["token"])
        outage["page"] = _home(base, seed)
        outage["healthz"] = http("GET", f"{base}/healthz")
        time.sleep(1)
        pg_ctl("start")
        wait_for_ready = time.monotonic()
        while http("GET", f"{base}/readyz").status != 200:
            assert time.monotonic() - wait_for_ready < 60, "/readyz did not recover"
            time.sleep(0.3)
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        ensure_postgres_running()
        connections.close_all()

    readyz = outage["readyz"]
    assert readyz.status == 503 and readyz.json()["database"] != "ok", readyz
    api = outage["api"]
    assert api.status == 503 and api.json()["code"] == "service_unavailable", api
    assert api.headers.get("retry-after") == "5"
    page = outage["page"]
    assert page.status == 503 and OUTAGE_TEXT in page.body, (page.status, page.body[:500])
    assert outage["healthz"].status == 200  # liveness does not depend on the database

    statuses = [status for status, _, _ in results]
    print(f"during the restart: {statuses.count(201)} created (201), {statuses.count(503)} refused (503)")
    assert set(statuses) <= {201, 503}, [r for r in results if r[0] not in (201, 503)][:3]
    assert 503 in statuses and 201 in statuses, statuses
    assert max(elapsed for _, elapsed, _ in results) < 10, "a request hung during the outage"
    refused = [body for status, _, body in results if status == 503]
    assert all('"service_unavailable"' in body for body in refused), refused[:3]

    # Recovered by itself: the same gunicorn, every thread of every worker answers again.
    assert web.poll() is None
    with ThreadPoolExecutor(16) as pool:
        burst = list(pool.map(lambda _: http("GET", f"{base}/api/v1/tickets/?contract={seed['contract']}",
                                             token=seed["token"]).status, range(48)))
    assert burst == [200] * 48, burst
    assert _home(base, seed).status == 200
    assert _create(base, seed, "after").status == 201

    state = deployment.python(TICKETS)
    assert state["incomplete"] == [] and state["orphans"] == {"entries": 0, "audit": 0}, state
    # Every 201 is a ticket, every 503 left none.
    assert state["count"] == before["count"] + 1 + statuses.count(201) + 1, (state, statuses)
    assert state["gap_free"] and state["counter"] == state["count"], state
