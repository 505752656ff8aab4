"""Alert ingestion through the Alertmanager endpoint (issue 15): alerts accepted per second,
then a retry storm — nothing lost, nothing duplicated.

    createdb -h 127.0.0.1 -U postgres weibao_incidents_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/weibao_incidents_bench \\
        .venv/bin/python bench/alert_ingest.py [--alerts 20000] [--batch 100] [--senders 4]

Migrates, makes one contract with one Alertmanager integration, then POSTs version-4
webhook bodies through Django's full request stack (test client: middleware, URL
routing, the view, the database) from ``--senders`` threads, each with its own database
connection, as several Alertmanager peers would. Each body carries ``--batch`` new
alerts of one of 40 groups (alertnames). Prints:

- accepted alerts/s for the first delivery of every body: the 2xx means stored. Bodies
  of more than WEIBAO_ALERTS_INLINE_MAX (20) alerts are processed by the worker after
  the commit; here the queue is replaced by one worker thread draining what was stored
  (``ingest.retry_pending``, the same code the sweep runs), started with the senders;
- processed alerts/s of that one worker (until everything is processed);
- the retry storm: every body sent again twice, by two senders at once (an Alertmanager
  HA pair both notifying, plus its own retry), and the duplicated-delivery answers;
- checks: alerts stored == alerts sent, no (fingerprint, startsAt) twice, incidents ==
  groups, and every delivery processed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
os.environ.setdefault("WEIBAO_MODE", "demo")
os.environ.setdefault("WEIBAO_ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from weibao.contracts.models import Contract  # noqa: E402
from weibao.core import clock  # noqa: E402
from weibao.incidents import ingest  # noqa: E402
from weibao.incidents.models import Alert, Delivery, Incident, Integration  # noqa: E402

GROUPS = 40


def bodies(total: int, batch: int) -> list[bytes]:
    now = clock.now().replace(microsecond=0)
    out = []
    for index in range(0, total, batch):
        group = (index // batch) % GROUPS
        name = f"BenchAlert{group:02d}"
        alerts = [{
            "status": "firing",
            "labels": {"alertname": name, "instance": f"node-{n}:9100", "job": "node", "severity": "warning"},
            "annotations": {"summary": f"{name} 触发", "description": "bench"},
            "startsAt": now.isoformat().replace("+00:00", "Z"), "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph", "fingerprint": f"{group:02d}{n:014x}",
        } for n in range(index, min(index + batch, total))]
        out.append(json.dumps({
            "version": "4", "groupKey": f'{{}}:{{alertname="{name}"}}', "truncatedAlerts": 0, "status": "firing",
            "receiver": "weibao", "groupLabels": {"alertname": name}, "commonLabels": {"alertname": name},
            "commonAnnotations": {}, "externalURL": "http://alertmanager:9093", "alerts": alerts,
        }).encode())
    return out


def send_all(url: str, payloads: list[bytes], senders: int) -> tuple[float, Counter]:
    queue = list(payloads)
    lock = threading.Lock()
    answers: Counter = Counter()

    def worker():
        client = Client()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                response = client.post(url, data=body, content_type="application/json")
                status = response.json().get("status", response.status_code) if response.status_code < 500 else 500
                with lock:
                    answers[(response.status_code, status)] += 1
        finally:
            connections.close_all()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, answers


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--senders", type=int, default=4)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    contract, _ = Contract.objects.get_or_create(
        number="BENCH-ALERTS",
        defaults={"name": "告警接入基准", "party_a": "bench", "party_b": "bench", "amount": 0,
                  "term_start": clock.today(), "term_end": clock.today().replace(year=clock.today().year + 1)},
    )
    Alert.objects.filter(contract=contract).delete()
    Delivery.objects.filter(contract=contract).delete()
    Incident.objects.filter(contract=contract).delete()
    Integration.objects.filter(contract=contract).delete()
    integration = Integration.objects.create(contract=contract, kind="alertmanager", name="bench")
    url = integration.path
    payloads = bodies(args.alerts, args.batch)
    connections.close_all()

    ingest.enqueue = lambda delivery_id: None  # the worker thread below is the queue
    done = threading.Event()
    worker_seconds = []

    def worker():
        began = time.perf_counter()
        try:
            while True:
                finished = done.is_set()
                if not ingest.retry_pending(limit=50) and finished:
                    break
                time.sleep(0.05)
        finally:
            worker_seconds.append(time.perf_counter() - began)
            connections.close_all()

    drain = threading.Thread(target=worker)
    drain.start()
    seconds, answers = send_all(url, payloads, args.senders)
    done.set()
    drain.join()
    print(f"first delivery: {len(payloads)} bodies, {args.alerts} alerts in {seconds:.2f} s "
          f"→ {args.alerts / seconds:,.0f} alerts/s accepted ({len(payloads) / seconds:,.1f} requests/s, "
          f"{args.senders} senders, {args.batch} alerts a body); answers {dict(answers)}")
    print(f"worker: all {args.alerts} alerts processed {worker_seconds[0]:.2f} s after the first body "
          f"→ {args.alerts / worker_seconds[0]:,.0f} alerts/s processed by one worker")

    storm = payloads * 2
    random.Random(15).shuffle(storm)
    seconds, answers = send_all(url, storm, args.senders)
    print(f"retry storm: {len(storm)} bodies again in {seconds:.2f} s ({len(storm) / seconds:,.0f} requests/s); answers {dict(answers)}")

    stored = Alert.objects.filter(contract=contract).count()
    doubled = (
        Alert.objects.filter(contract=contract).values("fingerprint", "starts_at")
        .annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    incidents = Incident.objects.filter(contract=contract).count()
    deliveries = Counter(Delivery.objects.filter(contract=contract).values_list("state", flat=True))
    print(f"alerts sent {args.alerts}, stored {stored}: lost {args.alerts - stored}, duplicated {doubled}")
    print(f"incidents {incidents} (groups {GROUPS}); deliveries {dict(deliveries)}")
    ok = stored == args.alerts and doubled == 0 and incidents == GROUPS and set(deliveries) == {"processed"}
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
