"""Delivery throughput of one worker against a local receiver (issue 14).

    .venv/bin/python bench/delivery_throughput.py [DELIVERIES] [KIND]

Stores DELIVERIES (default 500) deliveries of one kind (``webhook`` by default; ``sms``
through the generic gateway; ``dingtalk`` with its 20-a-minute limit lifted for the
measure) to a ThreadingHTTPServer on 127.0.0.1 that answers 200 at once, then sends them
one after another in this process exactly as a Huey worker thread does
(``services.send_delivery``: claim, sign, POST, mark). Prints deliveries per second, the
median and p95 time per delivery, and checks every delivery arrived exactly once.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _notify_setup import prepare  # noqa: I001 - sets Django up first

from weibao.core import stored_secrets
from weibao.notifications.models import Delivery, NotificationChannel
from weibao.notifications.services import send_delivery

RECEIVED: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        RECEIVED.append(self.headers.get("Idempotency-Key") or self.path)
        body = json.dumps({"errcode": 0, "code": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(count: int = 500, kind: str = "webhook") -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    contract, users, gateway, robot = prepare(people=1, endpoint=url)
    if kind == "dingtalk":
        robot = NotificationChannel.objects.create(
            contract=contract, name="bench dingtalk", kind="dingtalk", endpoint=stored_secrets.protect(url),
            secret=stored_secrets.protect("SECbench"), rate_per_minute=10**6)
    target = gateway if kind == "sms" else robot
    ids = [d.pk for d in Delivery.objects.bulk_create([
        Delivery(contract=contract if kind != "sms" else None, target=target, channel=kind,
                 address="13800000000" if kind == "sms" else target.name, subject=f"基准 {n}",
                 text="P1 工单即将超时，请尽快处理", mentions=["13800000000"])
        for n in range(count)
    ])]
    times = []
    started = time.perf_counter()
    for pk in ids:
        t0 = time.perf_counter()
        assert send_delivery(pk), pk
        times.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    server.shutdown()
    sent = Delivery.objects.filter(pk__in=ids, status="sent").count()
    print(f"kind: {kind}, deliveries: {count}, sent: {sent}, requests received: {len(RECEIVED)}")
    print(f"one worker: {count / elapsed:.0f} deliveries/s; per delivery median "
          f"{statistics.median(times) * 1000:.1f} ms, p95 {statistics.quantiles(times, n=20)[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, sys.argv[2] if len(sys.argv) > 2 else "webhook")
