"""Probe runner throughput and lag (issue 15).

    createdb -h 127.0.0.1 -U postgres weibao_bench_probes   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/weibao_bench_probes \\
        .venv/bin/python bench/probes.py [--monitors 10000] [--interval 30] [--duration 90] [--runners 1]

Migrates, creates ``--monitors`` HTTP monitors (one contract) against a local HTTP
server on 127.0.0.1 (``--servers`` processes sharing the port: a minimal keep-alive
responder), due evenly over
one interval, then runs ``--runners`` probe runners (the first in this process, the
others as subprocesses of this script) for ``--duration`` seconds and prints, per
runner and in total: checks/s, lag between scheduled and actual start (p50 / p99, after
a warm-up of one interval), failures, the runner's CPU time and peak memory. The whole
result path is included: claims under leases, checks, result rows, counters, rollups
are not (the periodic task does those).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
os.environ.setdefault("WEIBAO_MODE", "demo")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from weibao.contracts.models import Contract  # noqa: E402
from weibao.monitoring import services  # noqa: E402
from weibao.monitoring.models import CheckResult, Monitor  # noqa: E402
from weibao.monitoring.probes import runner as probe_runner  # noqa: E402

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nOK"


class _Http(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        # One response per request head received (no pipelining from the runner).
        for _ in range(max(1, data.count(b"\r\n\r\n"))):
            self.transport.write(RESPONSE)


def _serve(port_queue, port=0):
    async def main():
        server = await asyncio.get_running_loop().create_server(
            _Http, "127.0.0.1", port, backlog=4096, reuse_port=True)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def start_servers(count: int) -> tuple[int, list]:
    """``count`` server processes sharing one port (SO_REUSEPORT): on a loaded machine one
    Python process answering 600 requests/s is the bottleneck, not the runner."""
    ports = multiprocessing.Queue()
    first = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    first.start()
    port = ports.get(timeout=10)
    procs = [first]
    for _ in range(count - 1):
        proc = multiprocessing.Process(target=_serve, args=(ports, port), daemon=True)
        proc.start()
        ports.get(timeout=10)
        procs.append(proc)
    return port, procs


def _percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_one(name: str, duration: float, warmup: float, concurrency: int) -> dict:
    runner = probe_runner.Runner(name, probe_runner.Settings(concurrency=concurrency), keep_lags=True)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    asyncio.run(runner.run(until=duration))
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    lags = runner.stats.lags
    steady = lags[int(len(lags) * warmup / duration):]
    return {
        "runner": name, "checks": runner.stats.checks, "failures": runner.stats.failures,
        "checks_per_s": runner.stats.checks / elapsed,
        "lag_p50_ms": 1000 * _percentile(steady, 0.50), "lag_p99_ms": 1000 * _percentile(steady, 0.99),
        "lag_max_ms": 1000 * max(steady, default=float("nan")),
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "cpu_percent": 100 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / elapsed,
        "max_rss_mb": after.ru_maxrss / 1024,
        "cpu_ms_per_check": 1000 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        / max(1, runner.stats.checks),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=30)
    parser.add_argument("--duration", type=float, default=90)
    parser.add_argument("--runners", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--servers", type=int, default=2, help="local HTTP server processes")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    warmup = min(args.interval, args.duration / 3)
    if args.worker:
        print(json.dumps(run_one(args.worker, args.duration, warmup, args.concurrency)))
        return

    call_command("migrate", verbosity=0)
    contract, _ = Contract.objects.get_or_create(number="BENCH-PROBES", defaults={
        "name": "探测基准", "party_a": "甲方", "party_b": "乙方", "amount": 0,
        "term_start": dt.date(2026, 1, 1), "term_end": dt.date(2027, 12, 31)})
    CheckResult.objects.filter(monitor__contract=contract).delete()
    Monitor.objects.filter(contract=contract).delete()
    port, servers = start_servers(args.servers)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    rows = [Monitor(contract=contract, name=f"bench-{i}", kind="http", target=f"http://127.0.0.1:{port}/health",
                    interval_seconds=args.interval, timeout_seconds=5) for i in range(args.monitors)]
    created = Monitor.objects.bulk_create(rows, batch_size=5000)
    for monitor in created:
        monitor.next_due_at = start + dt.timedelta(seconds=services.phase(monitor.pk, args.interval))
    Monitor.objects.bulk_update(created, ["next_due_at"], batch_size=5000)
    print(f"{args.monitors} HTTP monitors every {args.interval} s (offered {args.monitors / args.interval:.0f} checks/s), "
          f"{args.runners} runner(s), {args.duration:.0f} s, lag measured after {warmup:.0f} s; "
          f"database {django.db.connection.vendor}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    others = [
        subprocess.Popen([sys.executable, __file__, "--worker", f"runner-{n}", "--duration", str(args.duration),  # noqa: S603
                          "--interval", str(args.interval), "--concurrency", str(args.concurrency)],
                         stdout=subprocess.PIPE, text=True)
        for n in range(2, args.runners + 1)
    ]
    results = [run_one("runner-1", args.duration, warmup, args.concurrency)]
    for proc in others:
        out, _ = proc.communicate(timeout=args.duration + 120)
        results.append(json.loads(out.strip().splitlines()[-1]))
    for server in servers:
        server.terminate()
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (lag is the machine's as much as the runner's "
          "when the load exceeds the CPUs)")
    for r in results:
        print(f"{r['runner']}: {r['checks_per_s']:.0f} checks/s ({r['checks']} checks, {r['failures']} failed), "
              f"lag p50 {r['lag_p50_ms']:.0f} ms, p99 {r['lag_p99_ms']:.0f} ms, max {r['lag_max_ms']:.0f} ms, "
              f"CPU {r['cpu_s']:.1f} s ({r['cpu_percent']:.0f} % of one core, {r['cpu_ms_per_check']:.2f} ms per check, "
              f"i.e. ~{1000 / r['cpu_ms_per_check']:.0f} checks/s on a core of its own), peak RSS {r['max_rss_mb']:.0f} MB")
    total = sum(r["checks_per_s"] for r in results)
    per_monitor = {}
    for monitor_id, at in CheckResult.objects.filter(monitor__contract=contract).order_by("at").values_list("monitor_id", "at"):
        per_monitor.setdefault(monitor_id, []).append(at)
    gaps = [(b - a).total_seconds() for seen in per_monitor.values() for a, b in zip(seen, seen[1:], strict=False)]
    print(f"total: {total:.0f} checks/s; stored results {sum(len(v) for v in per_monitor.values())}; "
          f"monitors checked {len(per_monitor)}/{args.monitors}; spacing between checks of one monitor: "
          f"min {min(gaps, default=0):.2f} s, median {statistics.median(gaps) if gaps else 0:.2f} s, "
          f"max {max(gaps, default=0):.2f} s")


if __name__ == "__main__":
    main()
