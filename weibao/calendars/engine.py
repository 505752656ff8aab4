"""Working-time arithmetic on China's official calendar, fast enough for every SLA clock.

Pure Python, no Django. A :class:`WorkingTime` precomputes, for every day of its range,
how many working seconds lie before that day (a prefix sum). Converting an instant to
its "working-time position" is then one table lookup plus at most a few interval
checks, and a deadline is the inverse: a bisection in the prefix sums. Nothing walks
day by day or minute by minute, so mixed durations of 30 working days cost the same
as 5 minutes.

Times are epoch seconds (UTC). Asia/Shanghai has had no daylight saving since 1991,
so local time is UTC+8 exactly and day arithmetic needs no tz database.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Iterable

SHANGHAI_OFFSET = 8 * 3600
DAY = 86400
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
UTC = dt.UTC

#: The range every table covers. Outside it a clock refuses to guess.
FIRST_YEAR = 2000
LAST_YEAR = 2045


class OutOfRange(ValueError):
    """The instant or date lies outside the years a working-time table covers."""


def parse_hours(hours: Iterable[Iterable[str]]) -> tuple[tuple[int, int], ...]:
    """[["09:00","12:00"], ["13:30","17:30"]] -> ((32400, 43200), (48600, 63000)).

    Intervals must be well-formed, non-empty, sorted and non-overlapping within one
    day ("24:00" is allowed as an end). Raises ValueError with a readable reason.
    """
    parsed: list[tuple[int, int]] = []
    for item in hours:
        pair = list(item)
        if len(pair) != 2:
            raise ValueError(f"每个时段须为 [开始, 结束] / each interval must be [start, end]: {pair!r}")
        start, end = (_parse_clock(str(value)) for value in pair)
        if end <= start:
            raise ValueError(f"结束须晚于开始 / end must be after start: {pair[0]}–{pair[1]}")
        if parsed and start < parsed[-1][1]:
            raise ValueError(
                f"时段须按时间顺序且不重叠 / intervals must be in order and not overlap: {pair[0]}"
            )
        parsed.append((start, end))
    if not parsed:
        raise ValueError("至少需要一个工作时段 / at least one working interval is required")
    return tuple(parsed)


def _parse_clock(text: str) -> int:
    try:
        hour_text, minute_text = text.split(":")
        hour, minute = int(hour_text), int(minute_text)
    except ValueError:
        raise ValueError(f"时间格式应为 HH:MM / time must be HH:MM: {text!r}") from None
    if not (0 <= minute < 60 and (0 <= hour < 24 or (hour == 24 and minute == 0))):
        raise ValueError(f"时间超出范围 / time out of range: {text!r}")
    return hour * 3600 + minute * 60


def format_hours(intervals: tuple[tuple[int, int], ...]) -> list[list[str]]:
    return [[_format_clock(start), _format_clock(end)] for start, end in intervals]


def _format_clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


_fromtimestamp = dt.datetime.fromtimestamp


def to_epoch(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("时间须带时区 / the time must carry a time zone")
    return int(moment.timestamp())


def from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)


def local_date(seconds: int) -> dt.date:
    return dt.date.fromordinal(EPOCH_ORDINAL + (seconds + SHANGHAI_OFFSET) // DAY)


class WorkingTime:
    """Working seconds of one business calendar over [FIRST_YEAR, LAST_YEAR].

    ``is_working_day(date)`` says which days work; ``intervals`` are the working
    seconds-of-day on those days. ``always=True`` is the 7×24 calendar, where every
    second counts and positions are plain epoch seconds.
    """

    def __init__(
        self,
        is_working_day: Callable[[dt.date], bool] | None,
        intervals: tuple[tuple[int, int], ...] = ((0, DAY),),
        *,
        always: bool = False,
        first_year: int = FIRST_YEAR,
        last_year: int = LAST_YEAR,
    ) -> None:
        self.always = always
        self.intervals = intervals
        first = dt.date(first_year, 1, 1)
        last = dt.date(last_year, 12, 31)
        self.first_ordinal = first.toordinal()
        # Day numbers are counted from 1970-01-01 in local time.
        self.base_day = self.first_ordinal - EPOCH_ORDINAL
        self.days = last.toordinal() - self.first_ordinal + 1
        self.min_epoch = self.base_day * DAY - SHANGHAI_OFFSET
        self.max_epoch = (self.base_day + self.days) * DAY - SHANGHAI_OFFSET
        if always:
            return
        day_work = sum(end - start for start, end in intervals)
        working = [False] * self.days
        prefix = [0] * (self.days + 1)
        total = 0
        for index in range(self.days):
            flag = is_working_day(dt.date.fromordinal(self.first_ordinal + index))
            working[index] = flag
            if flag:
                total += day_work
            prefix[index + 1] = total
        self.working = working
        self.prefix = prefix

    # -- positions ---------------------------------------------------------------
    def _check(self, seconds: int) -> None:
        if not (self.min_epoch <= seconds < self.max_epoch):
            raise OutOfRange(
                f"时间须在 {FIRST_YEAR}–{LAST_YEAR} 年之间 / time must be within "
                f"{FIRST_YEAR}–{LAST_YEAR}"
            )

    def position(self, seconds: int) -> int:
        """Working seconds from the table's start up to the instant ``seconds``."""
        if not (self.min_epoch <= seconds < self.max_epoch):
            self._check(seconds)
        if self.always:
            return seconds
        local = seconds + SHANGHAI_OFFSET
        day = local // DAY - self.base_day
        position = self.prefix[day]
        if self.working[day]:
            into = local % DAY
            for start, end in self.intervals:
                if into >= end:
                    position += end - start
                else:
                    if into > start:
                        position += into - start
                    break
        return position

    def instant(self, position: int) -> int:
        """The earliest instant whose working-time position is ``position`` (> 0)."""
        if self.always:
            self._check(position)
            return position
        day = bisect_left(self.prefix, position) - 1
        if day < 0 or day >= self.days:
            raise OutOfRange(
                f"期限超出 {FIRST_YEAR}–{LAST_YEAR} 年 / deadline beyond {FIRST_YEAR}–{LAST_YEAR}"
            )
        remaining = position - self.prefix[day]
        for start, end in self.intervals:
            length = end - start
            if remaining <= length:
                return (self.base_day + day) * DAY + start + remaining - SHANGHAI_OFFSET
            remaining -= length
        raise AssertionError("prefix sums and intervals disagree")  # pragma: no cover

    # -- what callers use ------------------------------------------------------------
    def add_seconds(self, start: int, seconds: int) -> int:
        """The instant ``seconds`` of working time after ``start`` (epoch seconds)."""
        if seconds <= 0:
            self._check(start)
            return start
        return self.instant(self.position(start) + seconds)

    def between(self, start: int, end: int) -> int:
        """Working seconds in [start, end); 0 when end is not after start."""
        if end <= start:
            return 0
        return self.position(end) - self.position(start)

    def deadline(self, start: dt.datetime, minutes: int) -> dt.datetime:
        if start.tzinfo is None:
            raise ValueError("时间须带时区 / the time must carry a time zone")
        return _fromtimestamp(self.add_seconds(int(start.timestamp()), minutes * 60), UTC)

    def is_working_day(self, day: dt.date) -> bool:
        if self.always:
            return True
        index = day.toordinal() - self.first_ordinal
        if not 0 <= index < self.days:
            raise OutOfRange(f"日期须在 {FIRST_YEAR}–{LAST_YEAR} 年之间 / date out of range")
        return self.working[index]


class DayRules:
    """Which dates are working days: the official arrangement, a contract's own edits,
    and for years with no arrangement loaded a provisional calendar (the statutory
    holidays rest, otherwise Monday–Friday; reported as uncovered, never silent)."""

    def __init__(
        self,
        official_rest: dict[dt.date, str],
        official_work: dict[dt.date, str],
        covered_years: Iterable[int],
        overrides: dict[dt.date, bool] | None = None,
        provisional_rest: dict[dt.date, str] | None = None,
    ) -> None:
        self.official_rest = official_rest
        self.official_work = official_work
        self.covered_years = frozenset(covered_years)
        self.overrides = overrides or {}
        # Only for years nothing official covers: a loaded year's notice decides alone.
        self.provisional_rest = {
            day: name for day, name in (provisional_rest or {}).items() if day.year not in self.covered_years
        }

    def is_working_day(self, day: dt.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        if day in self.official_work:
            return True
        if day in self.official_rest or day in self.provisional_rest:
            return False
        return day.weekday() < 5

    def uncovered_years(self, first: dt.date, last: dt.date) -> list[int]:
        """Years in [first, last] for which no official arrangement is loaded (their
        calendar is provisional: statutory holidays only, make-up days unknown)."""
        low, high = sorted((first.year, last.year))
        return [year for year in range(low, high + 1) if year not in self.covered_years]

    # Civil Code arts. 201–203: the start day is not counted; a period in days whose
    # last day is a rest day ends on the next working day; the last day ends at 24:00.
    def last_day_calendar_days(self, start: dt.date, days: int) -> dt.date:
        last = start + dt.timedelta(days=days)
        while not self.is_working_day(last):
            last += dt.timedelta(days=1)
        return last

    def last_day_working_days(self, start: dt.date, days: int) -> dt.date:
        day = start
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day
