"""The provisional year: statutory holidays computed from the lunar calendar and the
清明 solar term, checked against the official arrangements of past years."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weibao.calendars import engine
from weibao.calendars.official import official_rest_days, official_work_days, official_years
from weibao.calendars.statutory import statutory_holidays

SH = dt.timezone(dt.timedelta(hours=8))
HOURS = engine.parse_hours([["09:00", "12:00"], ["13:30", "17:30"]])


def officially_resting(day: dt.date) -> bool:
    if day in official_work_days():
        return False
    return day in official_rest_days() or day.weekday() >= 5


@pytest.mark.parametrize("year", sorted(official_years()))
def test_every_statutory_day_rests_in_the_official_arrangement(year):
    # Each year under the 放假办法 in force then (2008, 2014 and 2025 versions).
    missing = [day for day in statutory_holidays(year) if not officially_resting(day)]
    assert missing == []


def test_2027_statutory_days_under_the_2025_rules():
    assert sorted(statutory_holidays(2027)) == [
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 5), dt.date(2027, 2, 6), dt.date(2027, 2, 7), dt.date(2027, 2, 8),  # 除夕–初三
        dt.date(2027, 4, 5),  # 清明
        dt.date(2027, 5, 1), dt.date(2027, 5, 2),
        dt.date(2027, 6, 9),  # 端午 五月初五
        dt.date(2027, 9, 15),  # 中秋 八月十五
        dt.date(2027, 10, 1), dt.date(2027, 10, 2), dt.date(2027, 10, 3),
    ]


@given(st.integers(min_value=2025, max_value=engine.LAST_YEAR))
def test_thirteen_statutory_days_a_year_since_2025(year):
    days = statutory_holidays(year)
    # 中秋 can fall on 1–3 October (2025, 2028…): then the two share a day.
    assert len(days) in (12, 13)
    assert all(day.year == year for day in days)
    assert dt.date(year, 4, 3) <= next(d for d, n in days.items() if n == "Tomb-sweeping Day") <= dt.date(year, 4, 6)
    spring = sorted(d for d, n in days.items() if n == "Spring Festival")
    assert len(spring) == 4 and (spring[-1] - spring[0]).days == 3
    assert dt.date(year, 1, 20) <= spring[0] <= dt.date(year, 2, 20)


def test_a_provisional_year_rests_on_new_years_day():
    # Issue 13 item 9: 2026-12-31 16:00 + 600 working minutes ended 2027-01-04 10:30,
    # counting 2027-01-01 (元旦, a Friday) as a working day.
    rules = engine.DayRules(
        official_rest_days(), official_work_days(), official_years(),
        provisional_rest={day: name for year in range(engine.FIRST_YEAR, engine.LAST_YEAR + 1)
                          for day, name in statutory_holidays(year).items()},
    )
    office = engine.WorkingTime(rules.is_working_day, HOURS)
    start = dt.datetime(2026, 12, 31, 16, 0, tzinfo=SH)
    assert office.deadline(start, 600) == dt.datetime(2027, 1, 5, 10, 30, tzinfo=SH)
    assert rules.uncovered_years(start.date(), dt.date(2027, 1, 5)) == [2027]


def test_provisional_days_never_override_a_loaded_year():
    rules = engine.DayRules({}, {dt.date(2027, 1, 1): "调休"}, covered_years=[2027],
                            provisional_rest={dt.date(2027, 1, 1): "New Year's Day"})
    assert rules.is_working_day(dt.date(2027, 1, 1))
    rules = engine.DayRules({}, {}, covered_years=[2027],
                            provisional_rest={dt.date(2027, 5, 3): "Labour Day"})
    assert rules.is_working_day(dt.date(2027, 5, 3))
