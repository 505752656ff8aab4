"""Demo monitors on the seed's catalogue (issue 15): some against the demo's own web
server (really up while ``weibao run_all`` runs), one that is down, a heartbeat, a
maintenance window, 60 days of history so availability shows figures, and a public
status page. Relative to today via the clock; safe to load twice."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from weibao.core import clock
from weibao.monitoring import services
from weibao.monitoring.models import (
    AvailabilityTarget,
    MaintenanceWindow,
    Monitor,
    Rollup,
    StateChange,
    StatusPage,
)
from weibao.servicedesk.models import ServiceComponent

BASE = "http://127.0.0.1:8000"
MONITORS = [
    # name, component, kind, target, config, interval
    ("门户首页可用", "portal", "http", f"{BASE}/healthz", {"expected_status": 200}, 30),
    ("门户就绪检查", "portal", "http", f"{BASE}/readyz", {}, 60),
    ("统一身份认证端口", "uia", "tcp", "127.0.0.1:8000", {}, 30),
    ("电子证照接口", "licence", "http", f"{BASE}/healthz", {"max_latency_ms": 2000}, 60),
    ("好差评系统接口", "rating", "http", "http://127.0.0.1:9/api/health", {}, 60),
    ("审批系统数据库端口", "approval", "tcp", "127.0.0.1:8000", {}, 60),
    ("数据共享交换夜间批处理", "data", "heartbeat", "", {}, 86400),
]
# Past outages (days ago, local start hour:minute, minutes) per component code.
OUTAGES = {"portal": [(12, "02:10", 37), (3, "14:05", 12)], "uia": [(25, "09:30", 95)],
           "licence": [(40, "22:00", 20)], "approval": [(7, "03:00", 180)]}


def load(contracts: dict) -> None:
    seed = contracts["seed"]
    if Monitor.objects.filter(contract=seed).exists():
        return
    now = clock.now()
    today = clock.today()
    components = {c.code: c for c in ServiceComponent.objects.filter(contract=seed)}
    history_start = now - dt.timedelta(days=60)
    monitors = {}
    for name, code, kind, target, config, interval in MONITORS:
        monitor = Monitor.objects.create(
            contract=seed, component=components.get(code), name=name, kind=kind, target=target, config=config,
            interval_seconds=interval, timeout_seconds=5 if kind != "heartbeat" else 10,
            grace_seconds=3600, failures_to_down=2, successes_to_up=2,
        )
        monitor.next_due_at = services.first_due(monitor, now)
        Monitor.objects.filter(pk=monitor.pk).update(created_at=history_start, next_due_at=monitor.next_due_at)
        monitors.setdefault(code, []).append(monitor)
        StateChange.objects.create(contract=seed, monitor=monitor, from_state="unknown", to_state="up",
                                   at=history_start, evidence={"status": 200 if kind == "http" else None,
                                                               "latency_ms": 40, "error": ""})
        Monitor.objects.filter(pk=monitor.pk).update(state="up", state_since=history_start)
    heartbeat = monitors["data"][0]
    Monitor.objects.filter(pk=heartbeat.pk).update(last_ping_at=now - dt.timedelta(hours=7))

    for code, spans in OUTAGES.items():
        monitor = monitors[code][0]
        for days_ago, at, minutes in spans:
            hour, minute = map(int, at.split(":"))
            start = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour, minute),
                                        tzinfo=clock.SHANGHAI)
            end = start + dt.timedelta(minutes=minutes)
            StateChange.objects.create(
                contract=seed, monitor=monitor, from_state="up", to_state="down", at=start,
                evidence={"status": 502 if monitor.kind == "http" else None, "latency_ms": 5012,
                          "error": "状态码 502 不符合预期" if monitor.kind == "http" else "ConnectionRefusedError",
                          "excerpt": "<h1>502 Bad Gateway</h1>" if monitor.kind == "http" else ""})
            StateChange.objects.create(contract=seed, monitor=monitor, from_state="down", to_state="up", at=end,
                                       evidence={"status": 200 if monitor.kind == "http" else None,
                                                 "latency_ms": 85, "error": ""})
    # The 好差评 interface is down now (nothing listens on port 9).
    rating = monitors["rating"][0]
    down_at = now - dt.timedelta(minutes=18)
    StateChange.objects.create(contract=seed, monitor=rating, from_state="up", to_state="down", at=down_at,
                               evidence={"status": None, "latency_ms": 1, "error": "ClientConnectorError: 无法连接"})
    Monitor.objects.filter(pk=rating.pk).update(state="down", state_since=down_at, consecutive_failures=3,
                                                last_error="ClientConnectorError: 无法连接")

    # The approval outage 7 days ago was partly planned maintenance.
    start = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(2, 0), tzinfo=clock.SHANGHAI)
    window = MaintenanceWindow.objects.create(contract=seed, start=start, end=start + dt.timedelta(hours=3),
                                              reason="审批系统数据库版本升级", announce=True)
    window.components.set([components["approval"]])
    start = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(22, 0), tzinfo=clock.SHANGHAI)
    window = MaintenanceWindow.objects.create(contract=seed, start=start, end=start + dt.timedelta(hours=4),
                                              reason="统一身份认证证书更换及集群扩容", announce=True)
    window.components.set([components["uia"]])

    for code, percent in (("portal", "99.900"), ("uia", "99.900"), ("licence", "99.500"), ("approval", "99.500")):
        AvailabilityTarget.objects.create(contract=seed, component=components[code], percent=Decimal(percent))
    page = StatusPage.objects.create(contract=seed, slug="shilong-status", title="石龙区政务服务平台运行状态",
                                     public=True)
    page.public_components.set([components[c] for c in ("portal", "uia", "licence", "rating")])

    # Two days of hourly latency so the monitor pages have a chart.
    rng = random.Random(15)  # noqa: S311 - demo figures, not a secret
    hour = now.replace(minute=0, second=0, microsecond=0)
    rows = []
    for monitor_list in monitors.values():
        for monitor in monitor_list:
            if monitor.kind == "heartbeat":
                continue
            checks = 3600 // monitor.interval_seconds
            for back in range(1, 49):
                rows.append(Rollup(monitor=monitor, resolution="h", bucket=hour - dt.timedelta(hours=back),
                                   checks=checks, failures=0, latency_sum_ms=checks * rng.randint(20, 90),
                                   latency_max_ms=rng.randint(100, 400)))
    Rollup.objects.bulk_create(rows)
