"""PostgreSQL restarted during an Alertmanager storm against gunicorn (issue 15, reliability):
the senders' retries are absorbed, nothing is lost, nothing is duplicated.

Each sender behaves as Alertmanager does for one alert group: every notification repeats
all the group's alerts (more join as the storm goes on), both peers of an HA pair send
it, and a 5xx or a dropped connection is retried with exponential backoff until a 2xx.
The bodies are the recorded version-4 payload (tests/incidents/payloads/am_grouped.json)
with the group's own alerts."""

from __future__ import annotations

import copy
import json
import threading
import time
from pathlib import Path

from .support import ensure_postgres_running, http, pg_ctl, restarts_postgres_marks

pytestmark = restarts_postgres_marks()

RECORDED = json.loads((Path(__file__).parents[1] / "incidents" / "payloads" / "am_grouped.json").read_text())
GROUPS = 10
NOTIFICATIONS = 8  # per group; notification i carries alerts 0 … 2i+1 (at most 16: processed inline)
ALERTS_PER_GROUP = 2 * NOTIFICATIONS
PEERS = ("am-0", "am-1")

INTEGRATION = """
import json
from weibao.contracts.models import Contract
from weibao.incidents.models import Integration
contract = Contract.objects.get(number="HT-FAULT-1")
integration, _ = Integration.objects.get_or_create(contract=contract, kind="alertmanager", name="storm")
print(json.dumps({"secret": integration.secret, "id": integration.pk}))
"""

# The sweep the worker runs every minute (tasks.retry_alert_deliveries), then the state.
STATE = """
import json
from django.db.models import Count
from weibao.incidents.ingest import retry_pending
from weibao.incidents.models import Alert, Delivery, Incident
integration = %d
swept = retry_pending()
alerts = Alert.objects.filter(integration_id=integration)
print(json.dumps({
    "swept": swept,
    "deliveries": dict(Delivery.objects.filter(integration_id=integration).values_list("state").annotate(n=Count("id"))),
    "alerts": alerts.count(),
    "distinct": alerts.values("fingerprint", "starts_at").distinct().count(),
    "unattached": alerts.filter(incident__isnull=True).count(),
    "incidents": sorted(Incident.objects.filter(integration_id=integration).annotate(n=Count("alerts"))
                        .values_list("group_key", "n")),
}))
"""


def notification(group: int, number: int) -> dict:
    body = copy.deepcopy(RECORDED)
    name = f"StormGroup{group:02d}"
    body["groupKey"] = f'{{}}/{{}}:{{alertname="{name}"}}'
    body["groupLabels"] = {"alertname": name}
    body["commonLabels"] = dict(body["commonLabels"], alertname=name)
    template = RECORDED["alerts"][0]
    body["alerts"] = [
        dict(copy.deepcopy(template),
             labels=dict(template["labels"], alertname=name, instance=f"db{n}:9104"),
             startsAt=f"2026-11-24T01:{n:02d}:00Z", fingerprint=f"storm{group:02d}{n:04d}")
        for n in range(2 * number + 2)
    ]
    return body


def test_alertmanager_storm_survives_a_postgresql_restart(deployment):
    from django.db import connections

    integration = deployment.python(INTEGRATION)
    web, base = deployment.start_web()
    url = f"{base}/api/v1/integrations/alertmanager/{integration['secret']}/"
    answers: list[int] = []  # every answer, retries included (0: no answer)
    delivered: list[tuple[int, int, str]] = []
    given_up: list[str] = []

    def send(body: dict, what: str) -> None:
        delay, deadline = 0.2, time.monotonic() + 60
        while True:
            try:
                status = http("POST", url, body, timeout=10).status
            except Exception:  # connection refused or dropped: retried, as Alertmanager does
                status = 0
            answers.append(status)
            if 200 <= status < 300:
                return
            if status and status < 500 or time.monotonic() > deadline:
                given_up.append(f"{what}: {status}")
                return
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def alertmanager_group(group: int) -> None:
        for number in range(NOTIFICATIONS):
            body = notification(group, number)
            for peer in PEERS:  # both peers of the HA pair notify
                send(body, f"group {group} notification {number} from {peer}")
            delivered.append((group, number, "ok"))
            time.sleep(0.25)

    senders = [threading.Thread(target=alertmanager_group, args=(g,), daemon=True) for g in range(GROUPS)]
    connections.close_all()  # this process's own connections must not die with the server
    started = time.monotonic()
    try:
        for sender in senders:
            sender.start()
        time.sleep(0.8)
        pg_ctl("restart")
        for sender in senders:
            sender.join(90)
    finally:
        ensure_postgres_running()
        connections.close_all()
    elapsed = time.monotonic() - started

    refused = sum(1 for s in answers if s >= 500 or s == 0)
    print(f"storm: {len(answers)} requests in {elapsed:.1f}s, {answers.count(200)} answered 200, "
          f"{refused} refused or dropped during the restart and retried")
    assert not given_up, given_up[:5]
    assert len(delivered) == GROUPS * NOTIFICATIONS
    assert refused > 0, "the restart did not meet the storm"
    assert set(answers) <= {0, 200, 502, 503}, sorted(set(answers))
    assert web.poll() is None

    state = deployment.python(STATE % integration["id"])
    print(f"after the storm: {state['deliveries']}, {state['swept']} finished by the sweep")
    # One stored body per distinct notification (the HA peer's copy and retries found it).
    assert state["deliveries"] == {"processed": GROUPS * NOTIFICATIONS}, state
    # Every alert once, each in its group's one incident.
    assert state["alerts"] == state["distinct"] == GROUPS * ALERTS_PER_GROUP, state
    assert state["unattached"] == 0, state
    assert len(state["incidents"]) == GROUPS, state["incidents"]
    assert {n for _key, n in state["incidents"]} == {ALERTS_PER_GROUP}, state["incidents"]
