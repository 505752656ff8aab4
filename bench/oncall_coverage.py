"""Coverage for 50 schedules over 60 days (issue 14: under 1 s), printed.

    createdb -h 127.0.0.1 -U postgres weibao_oncall_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/weibao_oncall_bench \\
        .venv/bin/python bench/oncall_coverage.py [--schedules 50] [--days 60]

Migrates, builds one contract with ``--schedules`` schedules of three layers each (a
weekly 7×24 rotation of four people, working-day daytime by a daily rotation, rest days
by a weekly one with nights), 20 approved overrides and 10 swaps per schedule, and time
off for a third of the people, then times in-process exactly what the gap report and
the PM's warning run: ``coverage.uncovered`` (reading the rows and resolving every
minute of the window; median and max over 7 runs), the full ``gap_report`` with the
residency check, and the pure roster maths alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
os.environ.setdefault("WEIBAO_MODE", "test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from weibao.calendars.services import day_rules_for  # noqa: E402
from weibao.contracts.models import Contract, Membership  # noqa: E402
from weibao.core import clock  # noqa: E402
from weibao.oncall import coverage, services  # noqa: E402
from weibao.oncall.models import Layer, Override, ResidencyShift, Schedule, TimeOff  # noqa: E402
from weibao.testing.factories import ContractFactory, UserFactory  # noqa: E402

NUMBER = "BENCH-ONCALL-0001"


def build(schedules: int, days: int) -> Contract:
    contract = Contract.objects.filter(number=NUMBER).first()
    if contract is not None and Schedule.objects.filter(contract=contract).count() == schedules:
        return contract
    if contract is None:
        contract = ContractFactory(number=NUMBER, name="基准合同")
    rng = random.Random(14)
    people = []
    for i in range(40):
        user = UserFactory(username=f"bench-oncall-{contract.pk}-{i}-{rng.random():.6f}")
        Membership.objects.create(contract=contract, user=user, role="oncall_engineer")
        people.append(user.pk)
    start = dt.datetime(2026, 1, 5, 9, tzinfo=clock.SHANGHAI)
    now = clock.now()
    for n in range(schedules):
        s = Schedule.objects.create(contract=contract, name=f"值班表 {n}")
        crew = rng.sample(people, 6)
        Layer.objects.create(schedule=s, name="7×24", level=1, rotation="weekly", shift_days=7, starts_at=start,
                             participants=crew[:4])
        Layer.objects.create(schedule=s, name="工作日白天", level=2, rotation="daily", shift_days=1, starts_at=start,
                             participants=crew[4:], days="working", window_start=dt.time(8, 30),
                             window_end=dt.time(18))
        Layer.objects.create(schedule=s, name="休息日", level=3, rotation="weekly", shift_days=7, starts_at=start,
                             participants=crew[1:3], days="rest", window_start=dt.time(20),
                             window_end=dt.time(8))
        for k in range(30):
            begin = now + dt.timedelta(hours=rng.randrange(0, days * 24))
            Override.objects.create(
                contract=contract, schedule=s, user_id=rng.choice(crew), start=begin,
                end=begin + dt.timedelta(hours=rng.randrange(1, 30)), status="approved",
                replaces_id=rng.choice(crew) if k % 3 == 0 else None, kind="swap" if k % 3 == 0 else "override",
            )
    for pk in people[::3]:
        begin = now + dt.timedelta(days=rng.randrange(0, days))
        TimeOff.objects.create(contract=contract, user_id=pk, start=begin, end=begin + dt.timedelta(days=2))
    for d in range(days):
        ResidencyShift.objects.create(contract=contract, date=(now + dt.timedelta(days=d)).date(),
                                      user_id=people[d % 5])
    return contract


def timed(fn, runs: int = 7) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schedules", type=int, default=50)
    parser.add_argument("--days", type=int, default=60)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    contract = build(args.schedules, args.days)
    now = clock.now().replace(second=0, microsecond=0)
    hi = now + dt.timedelta(days=args.days)
    day_rules_for(contract.pk)  # the calendar's tables, built once per process

    median, worst, gaps = timed(lambda: coverage.uncovered(contract, now, hi))
    print(f"schedules={args.schedules} days={args.days} layers={Layer.objects.filter(schedule__contract=contract).count()} "
          f"overrides={Override.objects.filter(contract=contract).count()}")
    print(f"coverage.uncovered (rows + maths): median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms, "
          f"{len(gaps)} gaps  (target < 1000 ms)")
    median, worst, report = timed(lambda: coverage.gap_report(contract, args.days))
    print(f"coverage.gap_report (+ residency): median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms, "
          f"{len(report['residency_short'])} short days")
    inputs = services.load_inputs(contract.pk, now, hi)
    ids = list(Schedule.objects.filter(contract=contract).values_list("pk", flat=True))
    median, worst, _ = timed(lambda: [services.segments(inputs, sid, now, hi) for sid in ids])
    print(f"roster maths alone: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    segs = sum(len(services.segments(inputs, sid, now, hi)) for sid in ids)
    print(f"stretches resolved: {segs}")


if __name__ == "__main__":
    main()
