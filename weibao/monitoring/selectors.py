"""What the monitoring app answers: availability per component and monitor, per day and
month (Asia/Shanghai days), outages with their evidence, 90-day bars, status summaries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from weibao.core import clock
from weibao.monitoring import availability
from weibao.monitoring.models import (
    AvailabilityTarget,
    MaintenanceWindow,
    Monitor,
    MonitorState,
    StateChange,
)


@dataclass(frozen=True)
class Outage:
    monitor: str
    start: dt.datetime
    end: dt.datetime | None  # None: still down
    minutes: float  # outside maintenance, within the period
    cause: dict  # the evidence of the change to down
    recovery: dict


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, last+1 00:00) in Asia/Shanghai, as aware datetimes."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    return start, end


def maintenance_intervals(contract_id: int, component_ids, start, end) -> list[availability.Interval]:
    windows = MaintenanceWindow.objects.filter(
        contract_id=contract_id, components__in=list(component_ids), start__lt=end, end__gt=start
    ).distinct().values_list("start", "end")
    return availability.merge(windows)


def _monitor_spans(monitors, start, end) -> dict[int, list[tuple]]:
    """Per monitor, its down spans within [start, end) and the changes behind them."""
    ids = [m.pk for m in monitors]
    initial = {m.pk: MonitorState.UNKNOWN for m in monitors}
    # The state at ``start``: the last change before it.
    for change in StateChange.objects.filter(monitor_id__in=ids, at__lt=start).order_by("monitor_id", "at", "pk"):
        initial[change.monitor_id] = change.to_state
    changes: dict[int, list] = {pk: [] for pk in ids}
    for change in StateChange.objects.filter(monitor_id__in=ids, at__gte=start, at__lt=end).order_by("at", "pk"):
        changes[change.monitor_id].append(change)
    return {
        pk: availability.down_intervals([(c.at, c.to_state) for c in changes[pk]], start, end, initial[pk])
        for pk in ids
    }


def figures_for(monitors, contract_id: int, component_ids, start, end, now=None) -> availability.Figures:
    monitors = list(monitors)
    spans = _monitor_spans(monitors, start, end)
    down = [span for spans_of in spans.values() for span in spans_of]
    maintenance = maintenance_intervals(contract_id, component_ids, start, end) if component_ids else []
    return availability.figures(down, maintenance, start, end, until=now or clock.now())


def component_figures(component, first: dt.date, last: dt.date) -> availability.Figures:
    start, end = day_bounds(first, last)
    monitors = Monitor.objects.filter(component=component)
    return figures_for(monitors, component.contract_id, [component.pk], start, end)


def monitor_figures(monitor: Monitor, first: dt.date, last: dt.date) -> availability.Figures:
    start, end = day_bounds(first, last)
    components = [monitor.component_id] if monitor.component_id else []
    return figures_for([monitor], monitor.contract_id, components, start, end)


def daily(monitors, contract_id: int, component_ids, first: dt.date, last: dt.date) -> list[tuple[dt.date, availability.Figures]]:
    """Figures per Shanghai day, one query set for the whole range."""
    monitors = list(monitors)
    start, end = day_bounds(first, last)
    spans = _monitor_spans(monitors, start, end)
    down = [span for spans_of in spans.values() for span in spans_of]
    maintenance = maintenance_intervals(contract_id, component_ids, start, end) if component_ids else []
    return _days(down, maintenance, first, last, clock.now())


def _days(down, maintenance, first: dt.date, last: dt.date, now) -> list[tuple[dt.date, availability.Figures]]:
    days = []
    day = first
    while day <= last:
        day_start, day_end = day_bounds(day, day)
        days.append((day, availability.figures(down, maintenance, day_start, day_end, until=now)))
        day += dt.timedelta(days=1)
    return days


@dataclass(frozen=True)
class ComponentBoard:
    """One component's line of a status page: its days, its whole range, and whether a
    maintenance window is open now."""
    days: list[tuple[dt.date, availability.Figures]]
    total: availability.Figures
    in_maintenance: bool


def boards(contract_id: int, monitors_by_component: dict[int, list[Monitor]], first: dt.date,
           last: dt.date) -> dict[int, ComponentBoard]:
    """``daily`` and ``figures_for`` of each component over [first, last], read in three
    queries for all of them (a status page shows every component of a contract)."""
    start, end = day_bounds(first, last)
    now = clock.now()
    spans = _monitor_spans([m for monitors in monitors_by_component.values() for m in monitors], start, end)
    windows: dict[int, list[availability.Interval]] = {}
    for component_id, window_start, window_end in MaintenanceWindow.objects.filter(
        contract_id=contract_id, components__in=list(monitors_by_component), start__lt=end, end__gt=start
    ).values_list("components", "start", "end"):
        windows.setdefault(component_id, []).append((window_start, window_end))
    found = {}
    for component_id, monitors in monitors_by_component.items():
        down = [span for monitor in monitors for span in spans[monitor.pk]]
        maintenance = availability.merge(windows.get(component_id, []))
        found[component_id] = ComponentBoard(
            days=_days(down, maintenance, first, last, now),
            total=availability.figures(down, maintenance, start, end, until=now),
            in_maintenance=any(s <= now < e for s, e in windows.get(component_id, [])),
        )
    return found


def monthly(monitors, contract_id: int, component_ids, year: int, month: int) -> availability.Figures:
    first = dt.date(year, month, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    start, end = day_bounds(first, last)
    return figures_for(monitors, contract_id, component_ids, start, end)


def outages(monitors, contract_id: int, component_ids, start, end) -> list[Outage]:
    """Each down span of each monitor with start, end and the evidence of both changes:
    the breakdown a bureau audits. Minutes are those outside maintenance."""
    monitors = {m.pk: m for m in monitors}
    maintenance = maintenance_intervals(contract_id, component_ids, start, end) if component_ids else []
    found = []
    changes = StateChange.objects.filter(monitor_id__in=list(monitors), at__lt=end).order_by("monitor_id", "at", "pk")
    open_: dict[int, StateChange] = {}
    for change in changes:
        if change.to_state == MonitorState.DOWN:
            open_.setdefault(change.monitor_id, change)
        elif change.monitor_id in open_:
            began = open_.pop(change.monitor_id)
            if change.at > start:
                found.append((began, change))
    for began in open_.values():
        found.append((began, None))
    now = clock.now()
    result = []
    for began, ended in sorted(found, key=lambda pair: pair[0].at):
        span_end = ended.at if ended else min(end, now)
        counted = availability.total(availability.subtract(
            availability.clip([(began.at, span_end)], start, end), maintenance))
        result.append(Outage(
            monitor=monitors[began.monitor_id].name, start=began.at, end=ended.at if ended else None,
            minutes=round(counted.total_seconds() / 60, 1), cause=began.evidence,
            recovery=ended.evidence if ended else {},
        ))
    return result


def targets(contract_id: int) -> dict[int, object]:
    return dict(AvailabilityTarget.objects.filter(contract_id=contract_id).values_list("component_id", "percent"))


def component_state(monitors) -> str:
    """A component is down when any of its monitors is, up when all known ones are."""
    states = {m.state for m in monitors if m.enabled}
    if MonitorState.DOWN in states:
        return MonitorState.DOWN
    if MonitorState.UP in states:
        return MonitorState.UP
    return MonitorState.UNKNOWN
