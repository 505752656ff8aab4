"""Roster maths, free of Django and I/O: who is on call in each stretch of time.

Instants are Unix seconds. Local days are Asia/Shanghai's, which has kept UTC+8 with no
daylight saving since 1991, so a local day is exactly 86,400 s and a fixed offset is
exact (``zoneinfo`` would give the same answer, slower).

A schedule is layers of rotations; the highest level that has someone (not on time off,
allowed on the roster that day) wins; approved overrides sit on top (``replaces`` None)
or substitute one person (a swap); a stretch where nobody is left is a gap.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

OFFSET = 8 * 3600
DAY = 86400
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

ALL_DAYS, WORKING, REST, WEEKEND = "all", "working", "rest", "weekend"


def local_day(ts: int) -> dt.date:
    return dt.date.fromordinal(_EPOCH_ORDINAL + (ts + OFFSET) // DAY)


def day_start(day: dt.date) -> int:
    """The instant of local midnight starting ``day``."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY - OFFSET


def to_ts(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return int(moment.timestamp())


def from_ts(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC)


@dataclass(frozen=True)
class LayerSpec:
    level: int
    start: int  # the first hand-off
    shift_seconds: int
    participants: tuple[int, ...]
    days: str = ALL_DAYS
    # Seconds after local midnight; an end at or before the start runs into the next day.
    window: tuple[int, int] | None = None


@dataclass(frozen=True)
class OverrideSpec:
    start: int
    end: int
    user: int
    replaces: int | None = None  # None: on call instead of everyone; else a swap


@dataclass
class Segment:
    start: int
    end: int
    users: tuple[int, ...]


@dataclass
class _Cursor:
    segments: list[tuple[int, int, int]]
    index: int = 0

    def at(self, ts: int) -> int | None:
        segs = self.segments
        while self.index < len(segs) and segs[self.index][1] <= ts:
            self.index += 1
        if self.index < len(segs) and segs[self.index][0] <= ts:
            return segs[self.index][2]
        return None


def day_matches(days: str, day: dt.date, is_working_day: Callable[[dt.date], bool]) -> bool:
    if days == ALL_DAYS:
        return True
    working = is_working_day(day)
    if days == WORKING:
        return working
    if days == REST:
        return not working
    if days == WEEKEND:  # Saturday and Sunday, except a make-up working day (调休)
        return day.weekday() >= 5 and not working
    raise ValueError(days)


def allowed_windows(
    spec: LayerSpec, lo: int, hi: int, is_working_day: Callable[[dt.date], bool]
) -> list[tuple[int, int]]:
    """The stretches of [lo, hi) the layer's restriction allows, merged and sorted."""
    if spec.days == ALL_DAYS and spec.window is None:
        return [(lo, hi)] if lo < hi else []
    out: list[tuple[int, int]] = []
    # A night window starts the day before ``lo`` and may still be running at ``lo``.
    day = local_day(lo) - dt.timedelta(days=1)
    last = local_day(hi)
    while day <= last:
        if day_matches(spec.days, day, is_working_day):
            base = day_start(day)
            if spec.window is None:
                s, e = base, base + DAY
            else:
                ws, we = spec.window
                s, e = base + ws, base + (we if we > ws else DAY + we)
            s, e = max(s, lo), min(e, hi)
            if s < e:
                if out and out[-1][1] >= s:
                    out[-1] = (out[-1][0], max(out[-1][1], e))
                else:
                    out.append((s, e))
        day += dt.timedelta(days=1)
    return out


def layer_segments(
    spec: LayerSpec, lo: int, hi: int, is_working_day: Callable[[dt.date], bool]
) -> list[tuple[int, int, int]]:
    """(start, end, user) of each turn of the rotation within the allowed stretches."""
    people = spec.participants
    if not people or spec.shift_seconds <= 0:
        return []
    out = []
    for s, e in allowed_windows(spec, max(lo, spec.start), hi, is_working_day):
        k = (s - spec.start) // spec.shift_seconds
        t = s
        while t < e:
            turn_end = spec.start + (k + 1) * spec.shift_seconds
            end = min(e, turn_end)
            out.append((t, end, people[k % len(people)]))
            t = end
            k += 1
    return out


def resolve(
    layers: Sequence[LayerSpec],
    overrides: Iterable[OverrideSpec],
    time_off: dict[int, list[tuple[int, int]]],
    lo: int,
    hi: int,
    is_working_day: Callable[[dt.date], bool],
    eligible: Callable[[int, dt.date], bool] | None = None,
) -> list[Segment]:
    """Who is on call in each stretch of [lo, hi): consecutive stretches with the same
    people merged; a stretch with nobody (``users == ()``) is a gap."""
    if lo >= hi:
        return []
    overrides = [o for o in overrides if o.start < hi and o.end > lo]
    by_level: dict[int, list[_Cursor]] = {}
    points = {lo, hi}
    for spec in layers:
        segs = layer_segments(spec, lo, hi, is_working_day)
        by_level.setdefault(spec.level, []).append(_Cursor(segs))
        for s, e, _ in segs:
            points.add(s)
            points.add(e)
    # Overrides and time off enter and leave a set as the sweep passes their ends.
    starting: dict[int, list] = {}
    ending: dict[int, list] = {}

    def mark(start: int, end: int, item) -> None:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            return
        points.add(start)
        points.add(end)
        starting.setdefault(start, []).append(item)
        ending.setdefault(end, []).append(item)

    for o in overrides:
        mark(o.start, o.end, ("top", o.user) if o.replaces is None else ("swap", o.replaces, o.user))
    for user, spans in time_off.items():
        for s, e in spans:
            mark(s, e, ("away", user))
    if eligible is not None:  # eligibility is per local day: cut at each midnight
        day = local_day(lo) + dt.timedelta(days=1)
        while day_start(day) < hi:
            points.add(day_start(day))
            day += dt.timedelta(days=1)
    levels = sorted(by_level, reverse=True)
    ordered = sorted(points)
    eligible_memo: dict[tuple[int, dt.date], bool] = {}
    active: dict[tuple, int] = {}  # an item may be there twice (two equal overrides)

    def available(user: int, s: int) -> bool:
        if ("away", user) in active:
            return False
        if eligible is None:
            return True
        key = (user, local_day(s))
        found = eligible_memo.get(key)
        if found is None:
            found = eligible_memo[key] = eligible(*key)
        return found

    out: list[Segment] = []
    for i in range(len(ordered) - 1):
        s, e = ordered[i], ordered[i + 1]
        for item in ending.get(s, ()):
            active[item] -= 1
            if not active[item]:
                del active[item]
        for item in starting.get(s, ()):
            active[item] = active.get(item, 0) + 1
        users: tuple[int, ...] = ()
        if active:
            top = sorted({item[1] for item in active if item[0] == "top" and available(item[1], s)})
            swaps = {item[1]: item[2] for item in active if item[0] == "swap"}
        else:
            top, swaps = [], {}
        if top:
            users = tuple(top)
        else:
            for level in levels:
                found = []
                for cursor in by_level[level]:
                    user = cursor.at(s)  # cursors only move forward: skipping a call is fine
                    if user is None:
                        continue
                    user = swaps.get(user, user)
                    if user not in found and available(user, s):
                        found.append(user)
                if found:
                    users = tuple(sorted(found))
                    break
        if out and out[-1].users == users and out[-1].end == s:
            out[-1].end = e
        else:
            out.append(Segment(s, e, users))
    return out


def gaps(segments: Iterable[Segment]) -> list[tuple[int, int]]:
    return [(seg.start, seg.end) for seg in segments if not seg.users]


def segment_at(segments: Sequence[Segment], ts: int) -> Segment | None:
    starts = [seg.start for seg in segments]
    i = bisect_right(starts, ts) - 1
    if i >= 0 and segments[i].start <= ts < segments[i].end:
        return segments[i]
    return None
