"""The runner against a local HTTP server, with one database (SQLite: one runner), and the
results' path: counters, state changes with evidence, events, rollups, expiry."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from prometheus_client import REGISTRY

from tests.monitoring import servers
from weibao.core import clock as core_clock
from weibao.core.models import Event
from weibao.monitoring import rollups, services
from weibao.monitoring.models import CheckResult, Monitor, Rollup, StateChange
from weibao.monitoring.probes import runner as probe_runner
from weibao.monitoring.probes.checks import Result


class LocalHttp:
    """The test HTTP server on a thread of its own (the runner has its own loop)."""

    def __enter__(self):
        ready = threading.Event()
        self.loop = asyncio.new_event_loop()

        def serve():
            asyncio.set_event_loop(self.loop)
            self.app_runner, self.port = self.loop.run_until_complete(servers.start_http())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        ready.wait(5)
        return self

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.app_runner.cleanup(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.mark.django_db(transaction=True)
def test_a_runner_checks_due_monitors_and_records_state_changes_with_evidence(contract, pm, component):
    with LocalHttp() as http:
        up = services.create_monitor(contract, by=pm, name="门户首页", kind="http", component=component,
                                     target=f"http://127.0.0.1:{http.port}/ok", interval_seconds=10,
                                     timeout_seconds=2, config={"keyword": "运行正常"})
        down = services.create_monitor(contract, by=pm, name="统一认证", kind="http", component=component,
                                       target=f"http://127.0.0.1:{http.port}/error", interval_seconds=10,
                                       timeout_seconds=2, failures_to_down=1)
        Monitor.objects.update(next_due_at=core_clock.now())
        runner = probe_runner.Runner("test-runner", probe_runner.Settings(poll=0.2, flush_every=0.2))
        stats = asyncio.run(runner.run(until=1.5))
    assert stats.checks == 2  # each once: the next is an interval (10 s) away
    up.refresh_from_db()
    down.refresh_from_db()
    assert up.state == "up" and up.lease_owner == "test-runner"
    assert up.next_due_at > core_clock.now() + dt.timedelta(seconds=7)
    assert down.state == "down" and down.consecutive_failures == 1
    change = StateChange.objects.get(monitor=down, to_state="down")
    assert change.evidence["status"] == 503 and "维护中" in change.evidence["excerpt"]
    event = Event.objects.get(type="monitor.down")
    assert event.payload["monitor"] == down.pk and event.payload["component"] == component.pk
    assert event.payload["name"] == "统一认证" and event.payload["evidence"]["status"] == 503
    assert event.object_id == str(down.pk)
    assert CheckResult.objects.count() == 2
    # Prometheus watches the watcher: checks, failures and lag of this process.
    assert REGISTRY.get_sample_value("weibao_probe_checks_total", {"kind": "http", "outcome": "fail"}) >= 1
    assert REGISTRY.get_sample_value("weibao_probe_lag_seconds_count") >= 2
    assert not Event.objects.filter(type="monitor.up", object_id=str(down.pk)).exists()


@pytest.mark.django_db
def test_results_move_counters_and_publish_up_after_recovery(contract, pm, component, clock):
    monitor = services.create_monitor(contract, by=pm, name="证照接口", kind="tcp", target="127.0.0.1:9",
                                      component=component, failures_to_down=2, successes_to_up=2)
    now = clock.now()
    fail, ok = Result(False, 5, None, "refused"), Result(True, 3)
    services.apply_results([(monitor.pk, ok, now, 0)])
    services.apply_results([(monitor.pk, fail, now + dt.timedelta(seconds=60), 0)])
    monitor.refresh_from_db()
    assert monitor.state == "up" and monitor.consecutive_failures == 1
    services.apply_results([(monitor.pk, fail, now + dt.timedelta(seconds=120), 0),
                            (monitor.pk, ok, now + dt.timedelta(seconds=180), 0)])
    monitor.refresh_from_db()
    assert monitor.state == "down" and monitor.consecutive_successes == 1
    services.apply_results([(monitor.pk, ok, now + dt.timedelta(seconds=240), 0)])
    monitor.refresh_from_db()
    assert monitor.state == "up"
    assert [c.to_state for c in StateChange.objects.filter(monitor=monitor)] == ["up", "down", "up"]
    # The first state (unknown → up) is recorded but announces nothing.
    assert [e.type for e in Event.objects.order_by("pk")] == ["monitor.down", "monitor.up"]


@pytest.mark.django_db
def test_rollups_per_minute_and_hour_and_raw_expiry(contract, pm, component, clock):
    monitor = services.create_monitor(contract, by=pm, name="m", kind="tcp", target="127.0.0.1:9")
    base = clock.now().replace(minute=0, second=0, microsecond=0)
    results = [(monitor.pk, Result(i % 4 != 0, 10 + i), base + dt.timedelta(seconds=20 * i), 0) for i in range(9)]
    services.apply_results(results)
    clock.set_now(base + dt.timedelta(minutes=5))
    assert rollups.roll_up(clock.now()) == (3, 1)
    assert rollups.roll_up(clock.now()) == (3, 1)  # idempotent
    minute = Rollup.objects.get(resolution="m", bucket=base)
    assert (minute.checks, minute.failures, minute.latency_max_ms) == (3, 1, 12)
    hour = Rollup.objects.get(resolution="h")
    assert (hour.checks, hour.failures) == (9, 3)
    clock.set_now(base + dt.timedelta(days=8))
    assert rollups.expire_raw(clock.now(), days=7) == 9
    assert Rollup.objects.filter(resolution="h").count() == 1


@pytest.mark.django_db
def test_claims_advance_one_interval_and_heartbeats_are_looked_at_every_minute(contract, pm, clock, monkeypatch):
    from weibao.monitoring.probes import store

    # The runner process drops stale connections between claims; inside this test's
    # transaction that would close the test's own connection (on PostgreSQL).
    monkeypatch.setattr(store, "close_old_connections", lambda: None)

    now = clock.now()
    tcp = services.create_monitor(contract, by=pm, name="t", kind="tcp", target="127.0.0.1:9", interval_seconds=30,
                                  timeout_seconds=5)
    beat = services.create_monitor(contract, by=pm, name="b", kind="heartbeat", interval_seconds=86400,
                                   grace_seconds=3600)
    Monitor.objects.update(next_due_at=now)
    claimed = store.claim("r1", now, now + dt.timedelta(seconds=2), 100)
    assert sorted(spec.id for spec, _ in claimed) == [tcp.pk, beat.pk]
    assert store.claim("r2", now, now + dt.timedelta(seconds=2), 100) == []  # claimed once per interval
    tcp.refresh_from_db()
    beat.refresh_from_db()
    assert tcp.next_due_at == now + dt.timedelta(seconds=30) and tcp.lease_owner == "r1"
    assert beat.next_due_at == now + dt.timedelta(seconds=60)
    # Overdue by more than an interval (all runners were stopped): skipped, resumes at its phase.
    Monitor.objects.filter(pk=tcp.pk).update(next_due_at=now - dt.timedelta(seconds=300))
    assert [spec.id for spec, _ in store.claim("r1", now, now, 100)] == []
    tcp.refresh_from_db()
    assert now <= tcp.next_due_at < now + dt.timedelta(seconds=30)
