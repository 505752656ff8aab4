"""Deadline computation throughput (issue 3): prefix sums + bisection vs businesstimedelta.

Mixed durations from 1 minute to 30 working days, start instants spread over
2025–2026, on the office calendar 09:00–12:00 / 13:30–17:30 with China's official
holidays and make-up workdays. Prints deadlines per second on one core for both.

    .venv/bin/python bench/deadline_bench.py [N]

businesstimedelta cannot express make-up workdays (调休): it only removes days. Its
vectors use the official rest days as holidays and no make-up days, so its answers
differ from ours around 调休 weekends; the figure compared is speed, and the
agreement rate on vectors that touch no make-up day is printed as a sanity check.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

import businesstimedelta
import pytz

from weibao.calendars import engine
from weibao.calendars.official import official_rest_days, official_work_days, official_years

SH = dt.timezone(dt.timedelta(hours=8))


def vectors(count: int, seed: int = 42):
    rng = random.Random(seed)
    low = int(dt.datetime(2025, 1, 1, tzinfo=SH).timestamp())
    high = int(dt.datetime(2026, 11, 1, tzinfo=SH).timestamp())
    out = []
    for _ in range(count):
        start = rng.randrange(low, high)
        kind = rng.random()
        if kind < 0.4:
            minutes = rng.randint(1, 240)  # response-like
        elif kind < 0.8:
            minutes = rng.randint(240, 5 * 420)  # up to 5 working days
        else:
            minutes = rng.randint(5 * 420, 30 * 420)  # up to 30 working days
        out.append((start, minutes))
    return out


def ours(vecs):
    rules = engine.DayRules(official_rest_days(), official_work_days(), official_years())
    built = time.perf_counter()
    working = engine.WorkingTime(rules.is_working_day, engine.parse_hours([["09:00", "12:00"], ["13:30", "17:30"]]))
    build_seconds = time.perf_counter() - built
    add = working.add_seconds
    began = time.perf_counter()
    results = [add(start, minutes * 60) for start, minutes in vecs]
    elapsed = time.perf_counter() - began
    # The public API converts datetimes; time that too.
    starts = [engine.from_epoch(start) for start, _ in vecs]
    began = time.perf_counter()
    for moment, (_, minutes) in zip(starts, vecs, strict=True):
        working.deadline(moment, minutes)
    elapsed_dt = time.perf_counter() - began
    return results, elapsed, elapsed_dt, build_seconds


def theirs(vecs):
    tz = pytz.timezone("Asia/Shanghai")
    workday = businesstimedelta.WorkDayRule(
        start_time=dt.time(9), end_time=dt.time(17, 30), working_days=[0, 1, 2, 3, 4], tz=tz
    )
    lunch = businesstimedelta.LunchTimeRule(
        start_time=dt.time(12), end_time=dt.time(13, 30), working_days=[0, 1, 2, 3, 4], tz=tz
    )
    # The library looks at most 5 years ahead for the next holiday and fails past its
    # last one ("combine() argument 1 must be datetime.date, not None"); a sentinel
    # holiday on 2030-01-01 (after every vector) keeps it going. A set, not a list,
    # keeps its day-by-day membership test fast: the fairest setup we found.
    holidays = businesstimedelta.HolidayRule({*official_rest_days(), dt.date(2030, 1, 1)}, tz=tz)
    rule = businesstimedelta.Rules([workday, lunch, holidays])
    starts = [dt.datetime.fromtimestamp(start, tz) for start, _ in vecs]
    began = time.perf_counter()
    results = []
    for moment, (_, minutes) in zip(starts, vecs, strict=True):
        hours, rest = divmod(minutes, 60)
        results.append(moment + businesstimedelta.BusinessTimeDelta(rule, hours=hours, seconds=rest * 60))
    return results, time.perf_counter() - began


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    vecs = vectors(count)
    results, elapsed, elapsed_dt, build = ours(vecs)
    print(f"vectors: {count:,} (1 min – 30 working days; starts 2025-01-01 … 2026-11-01)")
    print(f"weibao engine table build (2000–2045): {build * 1000:.1f} ms")
    print(f"weibao engine, epoch seconds : {count / elapsed:>12,.0f} deadlines/s  ({elapsed:.2f} s)")
    print(f"weibao engine, datetimes     : {count / elapsed_dt:>12,.0f} deadlines/s  ({elapsed_dt:.2f} s)")
    sample = vecs[: min(count, 2_000)]  # it is slow; 2,000 is plenty for a rate
    theirs_results, theirs_elapsed = theirs(sample)
    print(
        f"businesstimedelta 1.0.1      : {len(sample) / theirs_elapsed:>12,.0f} deadlines/s  "
        f"({theirs_elapsed:.2f} s for {len(sample):,})"
    )
    makeup = set(official_work_days())
    agree = checked = 0
    for (start, _minutes), mine, other in zip(sample, results, theirs_results, strict=False):
        first = engine.local_date(start)
        last = engine.local_date(mine)
        if any(first <= day <= last for day in makeup if abs((day - first).days) < 60):
            continue
        checked += 1
        agree += int(other.timestamp()) == mine
    print(f"agreement where no make-up workday is involved: {agree:,}/{checked:,}")


if __name__ == "__main__":
    main()
