"""What the monitoring app does: keep monitors, take their results (from the probe runner
and the heartbeat pings), change their state with evidence and publish it, and declare
maintenance windows. Services refuse by themselves (``require``); ``by=None`` is Weibao."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.events import publish
from weibao.monitoring import statemachine
from weibao.monitoring.bulk import update_monitors
from weibao.monitoring.models import (
    MAX_INTERVAL,
    MIN_INTERVAL,
    AvailabilityTarget,
    CheckResult,
    MaintenanceWindow,
    Monitor,
    MonitorKind,
    MonitorState,
    StateChange,
)
from weibao.monitoring.probes.checks import Result
from weibao.servicedesk.models import ServiceComponent

# What each kind's ``config`` may hold (anything else is refused, naming the key).
SETTINGS = {
    MonitorKind.HTTP: {"method", "headers", "body", "expected_status", "keyword", "keyword_absent",
                       "json_path", "json_equals", "max_latency_ms", "follow_redirects", "max_redirects",
                       "verify_tls", "ca_file", "client_cert", "client_key"},
    MonitorKind.TCP: set(),
    MonitorKind.TLS: {"warn_days", "server_name", "ca_file"},
    MonitorKind.DNS: {"record_type", "expected", "nameserver"},
    MonitorKind.HEARTBEAT: set(),
}
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
RECORD_TYPES = {"A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "CAA", "PTR"}
EDITABLE = ("name", "component", "kind", "target", "config", "interval_seconds", "timeout_seconds",
            "failures_to_down", "successes_to_up", "grace_seconds", "enabled")


def phase(monitor_id: int, interval: int) -> float:
    """A monitor's fixed offset within its interval, so checks spread evenly over it
    instead of all starting at once (no thundering herd)."""
    digest = hashlib.blake2b(str(monitor_id).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 * interval


HEARTBEAT_EVERY = 60  # seconds between looks at a heartbeat's last ping


def cadence(kind: str, interval: int) -> int:
    """Seconds between two checks. A heartbeat's interval is the job's period (a day,
    say): its lateness is looked at every minute, not once a period."""
    return min(interval, HEARTBEAT_EVERY) if kind == MonitorKind.HEARTBEAT else interval


def first_due(monitor: Monitor, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=phase(monitor.pk, cadence(monitor.kind, monitor.interval_seconds)))


# --- validating a monitor ------------------------------------------------------------------

def _host_port_ok(target: str) -> bool:
    host, sep, port = target.rpartition(":")
    return bool(sep and host and port.isascii() and port.isdigit() and 0 < int(port) < 65536)


def validate(contract, values: dict) -> dict:
    """The cleaned fields of a monitor; ValidationError naming each wrong field."""
    errors: dict[str, str] = {}
    kind = values.get("kind")
    if kind not in MonitorKind.values:
        errors["kind"] = _("请选择监测类型。")
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = _("请填写名称。")
    elif len(name) > 100:
        errors["name"] = _("名称不能超过 100 个字符。")
    target = str(values.get("target") or "").strip()
    config = values.get("config") or {}
    if not isinstance(config, dict):
        errors["config"] = _("检查参数应为 JSON 对象。")
        config = {}
    component = values.get("component")
    if component is not None and component.contract_id != contract.pk:
        errors["component"] = _("服务目录项不属于本合同。")
    if kind == MonitorKind.HTTP:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            errors["target"] = _("请填写 http:// 或 https:// 开头的地址。")
    elif kind in (MonitorKind.TCP, MonitorKind.TLS):
        if not _host_port_ok(target):
            errors["target"] = _("请填写“主机:端口”，例如 portal.example.gov.cn:443。")
    elif kind == MonitorKind.DNS:
        if not target or len(target) > 253 or " " in target:
            errors["target"] = _("请填写要解析的域名。")
    elif kind == MonitorKind.HEARTBEAT:
        target = ""
    if len(target) > 500:
        errors["target"] = _("目标不能超过 500 个字符。")
    if kind in SETTINGS:
        unknown = sorted(set(config) - SETTINGS[kind])
        if unknown:
            errors["config"] = _("此类型不支持的参数：%(keys)s。") % {"keys": ", ".join(unknown)}
        elif kind == MonitorKind.HTTP:
            errors.update(_validate_http(config))
        elif kind == MonitorKind.DNS:
            if str(config.get("record_type", "A")).upper() not in RECORD_TYPES:
                errors["config"] = _("不支持的记录类型。")
            if config.get("nameserver"):
                try:
                    ipaddress.ip_address(str(config["nameserver"]).rpartition(":")[0] or config["nameserver"])
                except ValueError:
                    errors["config"] = _("nameserver 应为 IP 地址（可带端口）。")
        elif kind == MonitorKind.TLS and "warn_days" in config:
            if not isinstance(config["warn_days"], int) or not 0 <= config["warn_days"] <= 365:
                errors["config"] = _("warn_days 应为 0 到 365 之间的整数。")
    numbers = {
        "interval_seconds": (MIN_INTERVAL, MAX_INTERVAL, 60),
        "timeout_seconds": (1, 60, 10),
        "failures_to_down": (1, 20, 2),
        "successes_to_up": (1, 20, 2),
        "grace_seconds": (0, 7 * 86400, 300),
    }
    cleaned_numbers = {}
    for field, (low, high, default) in numbers.items():
        raw = values.get(field)
        if raw in (None, ""):
            cleaned_numbers[field] = default
            continue
        try:
            number = int(raw) if isinstance(raw, int) or (isinstance(raw, str) and raw.isascii() and raw.isdigit()) else None
        except ValueError:
            number = None
        if number is None or isinstance(raw, bool) or not low <= number <= high:
            errors[field] = _("应为 %(low)d 到 %(high)d 之间的整数。") % {"low": low, "high": high}
        else:
            cleaned_numbers[field] = number
    if not errors and kind != MonitorKind.HEARTBEAT and (
        cleaned_numbers["timeout_seconds"] >= cleaned_numbers["interval_seconds"]
    ):
        # A check must end before the next one is due: no monitor checked twice at once.
        errors["timeout_seconds"] = _("超时须小于检查间隔。")
    if errors:
        raise ValidationError(errors)
    return {
        "name": name, "kind": kind, "target": target, "config": config, "component": component,
        "enabled": bool(values.get("enabled", True)), **cleaned_numbers,
    }


def _validate_http(config: dict) -> dict:
    errors = {}
    if str(config.get("method", "GET")).upper() not in METHODS:
        errors["config"] = _("不支持的 HTTP 方法。")
    headers = config.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        errors["config"] = _("headers 应为“名称: 值”的对象。")
    expected = config.get("expected_status")
    if expected is not None:
        values = expected if isinstance(expected, list) else [expected]
        if not all(isinstance(v, int) and 100 <= v <= 599 for v in values):
            errors["config"] = _("expected_status 应为 100–599 的状态码或其列表。")
    if "max_latency_ms" in config and (not isinstance(config["max_latency_ms"], int) or config["max_latency_ms"] <= 0):
        errors["config"] = _("max_latency_ms 应为正整数。")
    if "json_equals" in config and not config.get("json_path"):
        errors["config"] = _("json_equals 需要同时填写 json_path。")
    return errors


# --- keeping monitors ----------------------------------------------------------------------

@transaction.atomic
def create_monitor(contract, *, by, **values) -> Monitor:
    require(by, contract.pk, Capability.MANAGE_MONITORS)
    cleaned = validate(contract, values)
    monitor = Monitor.objects.create(contract=contract, **cleaned)
    monitor.next_due_at = first_due(monitor, clock.now())
    monitor.save(update_fields=["next_due_at"])
    audit.record("monitoring.monitor_created", obj=monitor, actor=by, contract=contract,
                 after=_audited(monitor))
    return monitor


@transaction.atomic
def update_monitor(monitor: Monitor, *, by, **values) -> Monitor:
    require(by, monitor.contract_id, Capability.MANAGE_MONITORS)
    current = {field: getattr(monitor, field) for field in EDITABLE}
    cleaned = validate(monitor.contract, {**current, **values})
    before = _audited(monitor)
    for field, value in cleaned.items():
        setattr(monitor, field, value)
    if monitor.enabled and monitor.next_due_at is None:
        monitor.next_due_at = first_due(monitor, clock.now())
    monitor.save()
    audit.record("monitoring.monitor_updated", obj=monitor, actor=by, contract=monitor.contract,
                 before=before, after=_audited(monitor))
    return monitor


def _audited(monitor: Monitor) -> dict:
    # Header values may hold credentials: the trail keeps their names only.
    config = dict(monitor.config)
    if isinstance(config.get("headers"), dict):
        config["headers"] = sorted(config["headers"])
    return {"name": monitor.name, "kind": monitor.kind, "target": monitor.target, "config": config,
            "component": monitor.component_id, "interval_seconds": monitor.interval_seconds,
            "enabled": monitor.enabled}


# --- results and state ---------------------------------------------------------------------

def in_maintenance(component, at: dt.datetime) -> bool:
    """Whether ``component`` (a ServiceComponent or its id) is in a declared maintenance
    window at ``at``: paging is suppressed then, recording never is."""
    if component is None:
        return False
    component_id = getattr(component, "pk", component)
    return MaintenanceWindow.objects.filter(components=component_id, start__lte=at, end__gt=at).exists()


def announces(from_state: str, to_state: str) -> bool:
    """Going down, or up again after being down. A monitor's first known state (unknown →
    up) is no recovery: recorded, not announced."""
    return to_state == MonitorState.DOWN or (to_state == MonitorState.UP and from_state == MonitorState.DOWN)


def change_state(monitor: Monitor, to_state: str, *, at: dt.datetime, evidence: dict) -> StateChange:
    """Record a state change with its evidence and publish ``monitor.down`` / ``monitor.up``
    (obj=the monitor) in the caller's transaction. The incidents app subscribes."""
    change = StateChange.objects.create(
        contract_id=monitor.contract_id, monitor=monitor, from_state=monitor.state, to_state=to_state,
        at=at, evidence=evidence,
    )
    Monitor.objects.filter(pk=monitor.pk).update(state=to_state, state_since=at)
    before, monitor.state, monitor.state_since = monitor.state, to_state, at
    if announces(before, to_state):
        publish(
            f"monitor.{to_state}", contract=monitor.contract, obj=monitor,
            payload={
                "monitor": monitor.pk, "component": monitor.component_id, "name": monitor.name,
                "evidence": evidence,
                "maintenance": in_maintenance(monitor.component_id, at),
            },
        )
    return change


def evidence_of(result, at: dt.datetime, failures: int) -> dict:
    return {**result.evidence(), "checked_at": at.isoformat(), "consecutive_failures": failures}


def apply_results(batch: Iterable[tuple[int, object, dt.datetime, int]], *, owner: str = "") -> int:
    """Store a batch of results ``(monitor_id, Result, checked_at, lag_ms)`` and move each
    monitor's counters and state; one transaction, monitors locked in id order (two
    runners flushing never deadlock). Answers how many state changes it made."""
    batch = sorted(batch, key=lambda item: (item[0], item[2]))
    if not batch:
        return 0
    ids = sorted({item[0] for item in batch})
    changes = 0
    with transaction.atomic():
        monitors = {m.pk: m for m in Monitor.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                    .only("id", "contract_id", "component_id", "name", "state", "state_since", "consecutive_failures",
                          "consecutive_successes", "failures_to_down", "successes_to_up")}
        rows, touched, quiet = [], {}, []
        for monitor_id, result, at, lag_ms in batch:
            monitor = monitors.get(monitor_id)
            if monitor is None:
                continue  # deleted meanwhile
            rows.append(CheckResult(monitor_id=monitor_id, at=at, ok=result.ok, latency_ms=result.latency_ms,
                                    status=result.status, error=result.error[:200], lag_ms=max(0, lag_ms)))
            after = statemachine.step(
                statemachine.Counters(monitor.state, monitor.consecutive_failures, monitor.consecutive_successes),
                result.ok, failures_to_down=monitor.failures_to_down, successes_to_up=monitor.successes_to_up,
            )
            monitor.consecutive_failures, monitor.consecutive_successes = after.failures, after.successes
            monitor.last_checked_at, monitor.last_latency_ms = at, result.latency_ms
            monitor.last_error = result.error[:300]
            if after.state != monitor.state:
                evidence = evidence_of(result, at, after.failures)
                if announces(monitor.state, after.state):
                    change_state(monitor, after.state, at=at, evidence=evidence)
                else:  # a first state: recorded in bulk below (10,000 new monitors at once)
                    quiet.append(StateChange(contract_id=monitor.contract_id, monitor_id=monitor_id,
                                             from_state=monitor.state, to_state=after.state, at=at, evidence=evidence))
                    monitor.state, monitor.state_since = after.state, at
                changes += 1
            touched[monitor_id] = monitor
        CheckResult.objects.bulk_create(rows, batch_size=1000)
        StateChange.objects.bulk_create(quiet, batch_size=1000)
        update_monitors(
            list(touched.values()),
            ["consecutive_failures", "consecutive_successes", "last_checked_at", "last_latency_ms", "last_error",
             "state", "state_since"],
        )
    return changes


def record_ping(key, kind: str = "success") -> Monitor | None:
    """A heartbeat from a cron job or batch task: ``success`` (the job ran), ``start``
    (it began: shown with the run's duration) or ``fail`` (it reported a failure, one
    failed result). None when no enabled heartbeat monitor has this key."""
    now = clock.now()
    with transaction.atomic():
        monitor = (Monitor.objects.select_for_update()
                   .filter(ping_key=key, kind=MonitorKind.HEARTBEAT, enabled=True).first())
        if monitor is None:
            return None
        if kind == "start":
            Monitor.objects.filter(pk=monitor.pk).update(last_start_at=now)
            return monitor
        failed = kind == "fail"
        runtime = (now - monitor.last_start_at).total_seconds() if monitor.last_start_at and not failed else None
        Monitor.objects.filter(pk=monitor.pk).update(last_ping_at=now, last_ping_failed=failed, last_start_at=None)
        result = Result(ok=not failed, latency_ms=round(runtime * 1000) if runtime is not None else None,
                        error=_("任务报告失败（/fail）") if failed else "")
    apply_results([(monitor.pk, result, now, 0)])
    return monitor


# --- maintenance and targets ---------------------------------------------------------------

@transaction.atomic
def declare_maintenance(contract, *, by, components: list, start: dt.datetime, end: dt.datetime,
                        reason: str, announce: bool = True) -> MaintenanceWindow:
    require(by, contract.pk, Capability.DECLARE_MAINTENANCE)
    errors = {}
    if not components:
        errors["components"] = _("请至少选择一个服务目录项。")
    elif any(c.contract_id != contract.pk for c in components):
        errors["components"] = _("服务目录项不属于本合同。")
    if start is None or end is None:
        errors["start"] = _("请填写开始和结束时间。")
    elif end <= start:
        errors["end"] = _("结束时间须晚于开始时间。")
    elif end - start > dt.timedelta(days=31):
        errors["end"] = _("一个维护窗口不能超过 31 天。")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写维护原因。")
    elif len(reason) > 300:
        errors["reason"] = _("原因不能超过 300 个字符。")
    if errors:
        raise ValidationError(errors)
    window = MaintenanceWindow.objects.create(
        contract=contract, start=start, end=end, reason=reason, announce=announce, created_by=by,
    )
    window.components.set(components)
    audit.record("monitoring.maintenance_declared", obj=window, actor=by, contract=contract,
                 after={"start": start.isoformat(), "end": end.isoformat(), "reason": reason,
                        "components": [c.pk for c in components]})
    return window


@transaction.atomic
def end_maintenance(window: MaintenanceWindow, *, by) -> MaintenanceWindow:
    """End a window now (it may not be deleted: availability leaves its past time out)."""
    require(by, window.contract_id, Capability.DECLARE_MAINTENANCE)
    now = clock.now()
    if window.end <= now:
        raise ValidationError({"end": _("该维护窗口已经结束。")})
    before = window.end.isoformat()
    window.end = max(now, window.start + dt.timedelta(seconds=1))
    window.save(update_fields=["end"])
    audit.record("monitoring.maintenance_ended", obj=window, actor=by, contract=window.contract,
                 before={"end": before}, after={"end": window.end.isoformat()})
    return window


@transaction.atomic
def set_target(component: ServiceComponent, percent, *, by) -> AvailabilityTarget:
    require(by, component.contract_id, Capability.MANAGE_MONITORS)
    target, _created = AvailabilityTarget.objects.update_or_create(
        component=component, defaults={"contract_id": component.contract_id, "percent": percent},
    )
    audit.record("monitoring.target_set", obj=target, actor=by, contract=component.contract,
                 after={"component": component.pk, "percent": str(percent)})
    return target
