"""Two probe runners sharing monitors through PostgreSQL row leases (decision 0018):
no monitor checked twice in one interval; kill one (SIGKILL) and the other takes its
monitors over within two intervals. Real ``weibao probes`` processes against the test
database; PostgreSQL only (on SQLite one runner is the supported set-up)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from weibao.monitoring.models import CheckResult, Monitor

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 8  # seconds: below the product's minimum (10) to keep the test short, above the claim lookahead (5)


def _runner(name: str) -> subprocess.Popen:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "WEIBAO_MODE": "test"}
    return subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "weibao.manage", "probes", "--name", name, "--concurrency", "50"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def _checked_at_least(times: int, since) -> bool:
    results = CheckResult.objects.all() if since is None else CheckResult.objects.filter(at__gt=since)
    counts = results.values("monitor_id").annotate(n=Count("id")).filter(n__gte=times)
    return counts.count() == Monitor.objects.count()


@pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""), reason="row leases need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_runners_share_and_one_takes_over_when_the_other_dies(contract):
    async def serve():
        return await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(serve())
    port = server.sockets[0].getsockname()[1]
    import threading

    threading.Thread(target=loop.run_forever, daemon=True).start()
    now = dt.datetime.now(dt.UTC)
    Monitor.objects.bulk_create([
        Monitor(contract=contract, name=f"m{i}", kind="tcp", target=f"127.0.0.1:{port}", interval_seconds=INTERVAL,
                timeout_seconds=1, next_due_at=now + dt.timedelta(seconds=3 + INTERVAL * i / 40))
        for i in range(40)
    ])
    a, b = _runner("A"), _runner("B")
    try:
        owners = set()
        started = time.monotonic()
        # Both share the work, and every monitor has been checked twice (its gaps show).
        while time.monotonic() - started < 3 + 3 * INTERVAL:
            time.sleep(1)
            owners |= set(Monitor.objects.values_list("lease_owner", flat=True)) - {""}
            if owners == {"A", "B"} and _checked_at_least(2, since=None):
                break
        assert owners == {"A", "B"}, owners
        os.killpg(a.pid, signal.SIGKILL)
        killed_at = dt.datetime.now(dt.UTC)
        # Every monitor taken over and checked again one interval later (a second check
        # in one interval would show as a short gap); the assertions below say how soon.
        deadline = time.monotonic() + 4 * INTERVAL
        while time.monotonic() < deadline and not _checked_at_least(2, since=killed_at):
            time.sleep(1)
    finally:
        for proc in (a, b):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(15)
        loop.call_soon_threadsafe(loop.stop)
    assert set(Monitor.objects.values_list("lease_owner", flat=True)) == {"B"}
    times = defaultdict(list)
    for monitor_id, at in CheckResult.objects.order_by("at").values_list("monitor_id", "at"):
        times[monitor_id].append(at)
    assert len(times) == 40
    tolerance = 1.0  # seconds of scheduling lag
    for monitor_id, seen in times.items():
        gaps = [(later - earlier).total_seconds() for earlier, later in zip(seen, seen[1:], strict=False)]
        # Never twice in one interval…
        assert min(gaps) > INTERVAL * 0.7, (monitor_id, gaps)
        # …and never unchecked for more than two intervals, the kill included.
        assert max(gaps) <= 2 * INTERVAL + tolerance, (monitor_id, gaps)
        after = [at for at in seen if at > killed_at]
        assert after and (after[0] - killed_at).total_seconds() <= 2 * INTERVAL + tolerance
