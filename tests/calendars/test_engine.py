"""Working-time maths on the 2026 official calendar, checked by hand and by properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weibao.calendars import engine
from weibao.calendars.official import official_rest_days, official_work_days, official_years

SH = dt.timezone(dt.timedelta(hours=8))
HOURS = engine.parse_hours([["09:00", "12:00"], ["13:30", "17:30"]])
RULES = engine.DayRules(official_rest_days(), official_work_days(), official_years())
OFFICE = engine.WorkingTime(RULES.is_working_day, HOURS)
ALWAYS = engine.WorkingTime(None, always=True)


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        # Friday before the 2026 Spring Festival: the make-up Saturday 02-14 works.
        (at(2026, 2, 13, 16, 30), 120, at(2026, 2, 14, 10, 0)),
        # From the make-up Saturday across the whole holiday (02-15..02-23) to Tuesday.
        (at(2026, 2, 14, 17, 0), 60, at(2026, 2, 24, 9, 30)),
        # Inside the holiday: the clock waits for the first working morning.
        (at(2026, 2, 18, 10, 0), 30, at(2026, 2, 24, 9, 30)),
        # Make-up Saturday 02-28 after the festival.
        (at(2026, 2, 27, 17, 0), 60, at(2026, 2, 28, 9, 30)),
        # National Day: 10-01..10-07 rest, Sunday 09-20 and Saturday 10-10 work.
        (at(2026, 9, 30, 17, 0), 60, at(2026, 10, 8, 9, 30)),
        (at(2026, 9, 19, 10, 0), 60, at(2026, 9, 20, 10, 0)),
        (at(2026, 10, 9, 17, 0), 60, at(2026, 10, 10, 9, 30)),
        # Lunch break is not working time; an interval's end is a valid deadline.
        (at(2026, 3, 2, 11, 30), 60, at(2026, 3, 2, 14, 0)),
        (at(2026, 3, 2, 9, 0), 420, at(2026, 3, 2, 17, 30)),
        (at(2026, 3, 2, 9, 0), 421, at(2026, 3, 3, 9, 1)),
        # Zero minutes: the deadline is the start itself.
        (at(2026, 2, 15, 3, 0), 0, at(2026, 2, 15, 3, 0)),
    ],
)
def test_office_hours_deadlines_on_the_2026_calendar(start, minutes, expected):
    assert OFFICE.deadline(start, minutes) == expected


def test_seven_by_24_counts_every_minute_holidays_included():
    assert ALWAYS.deadline(at(2026, 9, 30, 23, 0), 120) == at(2026, 10, 1, 1, 0)


def test_thirty_working_days_across_national_day():
    # 30 working days × 7 h from Monday 2026-09-21 09:00 lands on Friday 2026-11-06 17:30:
    # Mid-autumn (Friday 09-25) and the holiday week contribute nothing, while the make-up
    # Sunday 09-20 is before the start and the make-up Saturday 10-10 counts.
    assert OFFICE.deadline(at(2026, 9, 21, 9, 0), 30 * 420) == at(2026, 11, 6, 17, 30)


def test_years_without_an_arrangement_fall_back_to_monday_to_friday_and_say_so():
    assert 2027 not in official_years()
    assert RULES.is_working_day(dt.date(2027, 1, 1))  # a Friday; 元旦 not known yet
    assert not RULES.is_working_day(dt.date(2027, 1, 2))
    assert RULES.uncovered_years(dt.date(2026, 12, 30), dt.date(2027, 1, 4)) == [2027]
    assert RULES.uncovered_years(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == []


def test_contract_overrides_beat_the_official_arrangement():
    rules = engine.DayRules(
        official_rest_days(),
        official_work_days(),
        official_years(),
        overrides={dt.date(2026, 3, 2): False, dt.date(2026, 10, 3): True},
    )
    assert not rules.is_working_day(dt.date(2026, 3, 2))
    assert rules.is_working_day(dt.date(2026, 10, 3))


@pytest.mark.parametrize(
    ("start", "days", "rule", "expected"),
    [
        # 5 working days after Monday 09-28: 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Sat).
        (dt.date(2026, 9, 28), 5, "working_days", dt.date(2026, 10, 10)),
        # 7 calendar days after 09-25 is 10-02, a holiday: the period ends on 10-08.
        (dt.date(2026, 9, 25), 7, "calendar_days", dt.date(2026, 10, 8)),
        # 5 calendar days after 02-10 is 02-15 (Spring Festival): ends 02-24.
        (dt.date(2026, 2, 10), 5, "calendar_days", dt.date(2026, 2, 24)),
        # A last day that is a working day stays; a make-up Saturday is a working day.
        (dt.date(2026, 2, 9), 5, "calendar_days", dt.date(2026, 2, 14)),
        # 15 days after a force-majeure notice on 2026-09-16: 10-01 is a holiday → 10-08.
        (dt.date(2026, 9, 16), 15, "calendar_days", dt.date(2026, 10, 8)),
        # Working days skip weekends and the start day is not counted.
        (dt.date(2026, 3, 6), 1, "working_days", dt.date(2026, 3, 9)),
    ],
)
def test_civil_code_periods(start, days, rule, expected):
    if rule == "working_days":
        assert RULES.last_day_working_days(start, days) == expected
    else:
        assert RULES.last_day_calendar_days(start, days) == expected


def test_hours_are_validated_with_readable_reasons():
    for bad in ([["9", "12"]], [["12:00", "09:00"]], [["09:00", "12:00"], ["11:00", "13:00"]], [],
                [["25:00", "26:00"]], [["09:00"]]):
        with pytest.raises(ValueError):
            engine.parse_hours(bad)
    assert engine.parse_hours([["00:00", "24:00"]]) == ((0, 86400),)


def test_out_of_range_is_refused():
    with pytest.raises(engine.OutOfRange):
        OFFICE.deadline(at(2046, 1, 1, 0, 0), 10)
    with pytest.raises(engine.OutOfRange):
        OFFICE.deadline(at(1999, 12, 31, 0, 0), 10)


# -- properties ------------------------------------------------------------------------

instants = st.integers(
    min_value=int(at(2025, 1, 1, 0, 0).timestamp()), max_value=int(at(2027, 12, 31, 0, 0).timestamp())
)
durations = st.integers(min_value=0, max_value=30 * 420 * 60)


def brute_force_deadline(start: int, seconds: int) -> int:
    """Minute by minute (only for checking): the earliest instant with enough work."""
    if seconds == 0:
        return start
    moment = start
    # Jump to a minute boundary first so the walk stays exact.
    remaining = seconds
    while True:
        step = 60 - moment % 60
        local = moment + engine.SHANGHAI_OFFSET
        day = engine.local_date(moment)
        into = local % engine.DAY
        working = RULES.is_working_day(day) and any(s <= into < e for s, e in HOURS)
        if working:
            if remaining <= step:
                return moment + remaining
            remaining -= step
        moment += step


@settings(max_examples=60, deadline=None)
@given(start=instants, seconds=st.integers(min_value=0, max_value=3 * 420 * 60))
def test_deadline_matches_a_minute_by_minute_walk(start, seconds):
    assert OFFICE.add_seconds(start, seconds) == brute_force_deadline(start, seconds)


@settings(max_examples=300, deadline=None)
@given(start=instants, seconds=durations)
def test_deadline_consumes_exactly_the_working_time_asked_for(start, seconds):
    due = OFFICE.add_seconds(start, seconds)
    assert due >= start
    assert OFFICE.between(start, due) == seconds
    if seconds:
        # …and no earlier instant would do.
        assert OFFICE.between(start, due - 1) == seconds - 1


@settings(max_examples=200, deadline=None)
@given(start=instants, first=durations, second=durations)
def test_deadlines_compose(start, first, second):
    middle = OFFICE.add_seconds(start, first)
    if first:
        assert OFFICE.add_seconds(middle, second) == OFFICE.add_seconds(start, first + second) or (
            second == 0
        )


@settings(max_examples=200, deadline=None)
@given(start=instants, seconds=durations)
def test_seven_by_24_is_plain_addition(start, seconds):
    assert ALWAYS.add_seconds(start, seconds) == start + seconds
