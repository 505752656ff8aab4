"""Availability maths over time intervals (可用性): pure, no Django, no I/O.

A component is down while any of its monitors is down. Declared maintenance is left out
of both the downtime and the measured time: availability = 1 − down / (period − maintenance).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

Interval = tuple[dt.datetime, dt.datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of ``intervals`` (empty ones dropped)."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """``intervals`` minus every part covered by ``holes`` (both merged first)."""
    holes = merge(holes)
    result = []
    for start, end in merge(intervals):
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                result.append((cursor, h_start))
            cursor = max(cursor, h_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def total(intervals: Iterable[Interval]) -> dt.timedelta:
    return sum((e - s for s, e in merge(intervals)), dt.timedelta())


def down_intervals(changes: Iterable[tuple[dt.datetime, str]], start: dt.datetime, end: dt.datetime,
                   initial: str) -> list[Interval]:
    """The down spans within [start, end) of one monitor, from its state changes
    ``(at, to_state)`` in time order and its state at ``start`` (``initial``)."""
    spans, down_since = [], start if initial == "down" else None
    for at, to_state in changes:
        if at >= end:
            break
        at = max(at, start)
        if to_state == "down" and down_since is None:
            down_since = at
        elif to_state != "down" and down_since is not None:
            spans.append((down_since, at))
            down_since = None
    if down_since is not None:
        spans.append((down_since, end))
    return spans


@dataclass(frozen=True)
class Figures:
    start: dt.datetime
    end: dt.datetime
    measured: dt.timedelta  # the period less maintenance
    downtime: dt.timedelta  # down outside maintenance
    maintenance: dt.timedelta

    @property
    def percent(self) -> Decimal | None:
        """Availability in percent, 3 decimals; None when nothing was measured."""
        if self.measured <= dt.timedelta():
            return None
        ratio = Decimal(1) - Decimal(self.downtime.total_seconds()) / Decimal(self.measured.total_seconds())
        return (ratio * 100).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)

    @property
    def downtime_minutes(self) -> Decimal:
        return (Decimal(self.downtime.total_seconds()) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


def figures(down: Iterable[Interval], maintenance: Iterable[Interval], start: dt.datetime,
            end: dt.datetime, *, until: dt.datetime | None = None) -> Figures:
    """Availability of [start, end); time after ``until`` (now) is not measured yet."""
    if until is not None:
        end = max(start, min(end, until))
    kept_out = merge(clip(maintenance, start, end))
    downtime = subtract(clip(down, start, end), kept_out)
    return Figures(start, end, (end - start) - total(kept_out), total(downtime), total(kept_out))
