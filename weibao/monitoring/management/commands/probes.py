"""``weibao probes``: the probe runner, a long-running process of its own (decision 0018)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from weibao.core import clock
from weibao.monitoring.probes import runner, store


class Command(BaseCommand):
    help = "Run the monitors' checks (HTTP, TCP, TLS, DNS, heartbeats). Several may run at once on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="", help="this runner's name in the leases (default host:pid)")
        parser.add_argument("--concurrency", type=int, default=500, help="checks running at once")
        parser.add_argument("--metrics-port", type=int, default=0, help="serve /metrics on this port (0: no)")

    def handle(self, *args, name: str, concurrency: int, metrics_port: int, **options):
        if metrics_port:
            from prometheus_client import start_http_server

            start_http_server(metrics_port, addr="127.0.0.1")
        store.schedule_all(clock.now())
        self.stdout.write(f"probe runner {name or runner.default_name()} running; Ctrl-C stops it")
        runner.run_forever(name or None, runner.Settings(concurrency=max(1, concurrency)))
