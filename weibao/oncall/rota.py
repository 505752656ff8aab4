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
from dataclasses import dataclass, field

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


@dataclass
class _Intervals:
    """Sorted, possibly overlapping intervals, asked 'does any contain ts?'."""

    items: list[tuple[int, int]] = field(default_factory=list)

    def covers(self, ts: int) -> bool:
        return any(s <= ts < e for s, e in self.items)


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
    tops = [o for o in overrides if o.replaces is None]
    swaps = [o for o in overrides if o.replaces is not None]
    by_level: dict[int, list[_Cursor]] = {}
    points = {lo, hi}
    for spec in layers:
        segs = layer_segments(spec, lo, hi, is_working_day)
        by_level.setdefault(spec.level, []).append(_Cursor(segs))
        for s, e, _ in segs:
            points.add(s)
            points.add(e)
    for o in overrides:
        points.update((max(o.start, lo), min(o.end, hi)))
    away = {user: _Intervals(sorted(spans)) for user, spans in time_off.items()}
    for spans in time_off.values():
        for s, e in spans:
            if lo < s < hi:
                points.add(s)
            if lo < e < hi:
                points.add(e)
    if eligible is not None:  # eligibility is per local day: cut at each midnight
        day = local_day(lo) + dt.timedelta(days=1)
        while day_start(day) < hi:
            points.add(day_start(day))
            day += dt.timedelta(days=1)
    levels = sorted(by_level, reverse=True)
    ordered = sorted(points)
    eligible_memo: dict[tuple[int, dt.date], bool] = {}

    def available(user: int, ts: int) -> bool:
        off = away.get(user)
        if off is not None and off.covers(ts):
            return False
        if eligible is None:
            return True
        key = (user, local_day(ts))
        if key not in eligible_memo:
            eligible_memo[key] = eligible(*key)
        return eligible_memo[key]

    out: list[Segment] = []
    for i in range(len(ordered) - 1):
        s, e = ordered[i], ordered[i + 1]
        if s >= e:
            continue
        users: tuple[int, ...] = ()
        top = sorted({o.user for o in tops if o.start <= s < o.end and available(o.user, s)})
        # Every layer's cursor moves forward, whether or not it decides this stretch.
        held = {level: [c.at(s) for c in by_level[level]] for level in levels}
        if top:
            users = tuple(top)
        else:
            for level in levels:
                found = []
                for user in held[level]:
                    if user is None:
                        continue
                    for swap in swaps:
                        if swap.replaces == user and swap.start <= s < swap.end:
                            user = swap.user
                            break
                    if available(user, s) and user not in found:
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
