"""Roster maths (weibao.oncall.rota), pure: rotations, restrictions, layers, overrides,
time off, across month ends, the 2026 holiday periods and 调休 days."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from weibao.calendars.engine import DayRules
from weibao.calendars.official import official_rest_days, official_work_days, official_years
from weibao.oncall import rota

SH = dt.timezone(dt.timedelta(hours=8))
RULES = DayRules(official_rest_days(), official_work_days(), official_years())
working = RULES.is_working_day


def ts(y, m, d, h=0, mi=0):
    return rota.to_ts(dt.datetime(y, m, d, h, mi, tzinfo=SH))


def weekly(participants, start, level=1, days=rota.ALL_DAYS, window=None, shift_days=7):
    return rota.LayerSpec(level, start, shift_days * rota.DAY, tuple(participants), days, window)


def test_weekly_rotation_hands_off_at_the_hand_off_time():
    layer = weekly([1, 2, 3], ts(2026, 1, 5, 9))
    segs = rota.resolve([layer], [], {}, ts(2026, 1, 5, 9), ts(2026, 1, 26, 9), working)
    assert [(s.start, s.end, s.users) for s in segs] == [
        (ts(2026, 1, 5, 9), ts(2026, 1, 12, 9), (1,)),
        (ts(2026, 1, 12, 9), ts(2026, 1, 19, 9), (2,)),
        (ts(2026, 1, 19, 9), ts(2026, 1, 26, 9), (3,)),
    ]


def test_before_the_rotation_starts_nobody_is_on_call():
    layer = weekly([1], ts(2026, 3, 1, 9))
    assert rota.gaps(rota.resolve([layer], [], {}, ts(2026, 3, 1), ts(2026, 3, 2), working)) == [
        (ts(2026, 3, 1), ts(2026, 3, 1, 9))
    ]


def test_spring_festival_2026_rest_days_and_make_up_saturdays():
    # 2026 春节: 2.15–2.23 rest; 2.14 (Sat) and 2.28 (Sat) are make-up working days.
    rest = weekly([7], ts(2026, 1, 1), level=2, days=rota.REST)
    base = weekly([1], ts(2026, 1, 1), level=1)
    segs = rota.resolve([rest, base], [], {}, ts(2026, 2, 14), ts(2026, 3, 2), working)
    on_holiday = [(s.start, s.end) for s in segs if s.users == (7,)]
    assert on_holiday == [(ts(2026, 2, 15), ts(2026, 2, 24)), (ts(2026, 3, 1), ts(2026, 3, 2))]
    assert rota.segment_at(segs, ts(2026, 2, 14, 12)).users == (1,)  # 调休: a working day
    assert rota.segment_at(segs, ts(2026, 2, 28, 12)).users == (1,)


def test_weekend_layer_skips_make_up_saturday():
    weekend = weekly([5], ts(2026, 1, 1), days=rota.WEEKEND)
    segs = rota.resolve([weekend], [], {}, ts(2026, 2, 14), ts(2026, 2, 16), working)
    assert [(s.start, s.end, s.users) for s in segs] == [
        (ts(2026, 2, 14), ts(2026, 2, 15), ()),
        (ts(2026, 2, 15), ts(2026, 2, 16), (5,)),
    ]


def test_night_window_of_working_days_belongs_to_the_day_it_starts():
    nights = weekly([3], ts(2026, 1, 1), days=rota.WORKING, window=(18 * 3600, 8 * 3600 + 1800))
    # Friday 2026-01-30 night runs into Saturday 08:30; Saturday night is not a working day's.
    segs = rota.resolve([nights], [], {}, ts(2026, 1, 30, 12), ts(2026, 2, 1, 12), working)
    assert [(s.start, s.end) for s in segs if s.users] == [(ts(2026, 1, 30, 18), ts(2026, 1, 31, 8, 30))]


def test_override_on_top_and_swap_substitutes_one_person():
    layer = weekly([1, 2], ts(2026, 1, 5, 9))
    over = rota.OverrideSpec(ts(2026, 1, 6), ts(2026, 1, 7), 9)
    swap = rota.OverrideSpec(ts(2026, 1, 13), ts(2026, 1, 14), 8, replaces=2)
    not_matching = rota.OverrideSpec(ts(2026, 1, 8), ts(2026, 1, 9), 8, replaces=2)
    segs = rota.resolve([layer], [over, swap, not_matching], {}, ts(2026, 1, 5, 9), ts(2026, 1, 19, 9), working)
    assert rota.segment_at(segs, ts(2026, 1, 6, 3)).users == (9,)
    assert rota.segment_at(segs, ts(2026, 1, 8, 3)).users == (1,)
    assert rota.segment_at(segs, ts(2026, 1, 13, 3)).users == (8,)
    assert rota.segment_at(segs, ts(2026, 1, 15, 3)).users == (2,)


def test_time_off_falls_through_to_the_lower_layer_or_is_a_gap():
    top = weekly([1], ts(2026, 1, 1), level=2)
    bottom = weekly([2], ts(2026, 1, 1), level=1)
    away = {1: [(ts(2026, 1, 10), ts(2026, 1, 11))], 2: [(ts(2026, 1, 10, 12), ts(2026, 1, 10, 13))]}
    segs = rota.resolve([top, bottom], [], away, ts(2026, 1, 9), ts(2026, 1, 12), working)
    assert [(s.start, s.end, s.users) for s in segs] == [
        (ts(2026, 1, 9), ts(2026, 1, 10), (1,)),
        (ts(2026, 1, 10), ts(2026, 1, 10, 12), (2,)),
        (ts(2026, 1, 10, 12), ts(2026, 1, 10, 13), ()),
        (ts(2026, 1, 10, 13), ts(2026, 1, 11), (2,)),
        (ts(2026, 1, 11), ts(2026, 1, 12), (1,)),
    ]


def test_ineligible_person_leaves_a_gap_for_the_day():
    layer = weekly([1], ts(2026, 1, 1))
    segs = rota.resolve([layer], [], {}, ts(2026, 1, 31), ts(2026, 2, 2), working,
                        eligible=lambda user, day: day != dt.date(2026, 2, 1))
    assert rota.gaps(segs) == [(ts(2026, 2, 1), ts(2026, 2, 2))]


instants = st.integers(min_value=ts(2026, 1, 1), max_value=ts(2026, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    start=instants,
    length_days=st.integers(min_value=1, max_value=14),
    people=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=5),
    lo=instants,
    span=st.integers(min_value=1, max_value=70 * 86400),
    probe=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_rotation_partitions_the_window_and_follows_the_turns(start, length_days, people, lo, span, probe):
    layer = weekly(people, start, shift_days=length_days)
    hi = lo + span
    segs = rota.resolve([layer], [], {}, lo, hi, working)
    # The stretches partition [lo, hi) with no hole and no overlap.
    assert segs[0].start == lo and segs[-1].end == hi
    assert all(a.end == b.start for a, b in zip(segs, segs[1:], strict=False))
    at = lo + int(probe * span)
    expected = () if at < start else (people[((at - start) // (length_days * rota.DAY)) % len(people)],)
    assert rota.segment_at(segs, at).users == expected


@settings(max_examples=150, deadline=None)
@given(lo=instants, span=st.integers(min_value=1, max_value=62 * 86400),
       probe=st.floats(min_value=0, max_value=1, exclude_max=True),
       days=st.sampled_from([rota.WORKING, rota.REST, rota.WEEKEND]))
def test_day_restrictions_follow_the_official_calendar(lo, span, probe, days):
    layer = weekly([4], ts(2025, 12, 1), days=days)
    segs = rota.resolve([layer], [], {}, lo, lo + span, working)
    at = lo + int(probe * span)
    day = rota.local_day(at)
    assert (rota.segment_at(segs, at).users == (4,)) == rota.day_matches(days, day, working)


@settings(max_examples=100, deadline=None)
@given(lo=instants, span=st.integers(min_value=3600, max_value=40 * 86400),
       ws=st.integers(min_value=0, max_value=23), we=st.integers(min_value=0, max_value=23))
def test_working_and_rest_layers_together_leave_no_gap(lo, span, ws, we):
    # A day layer and a night layer on working days plus a rest-day layer cover every minute.
    if ws == we:
        return
    a = weekly([1], ts(2025, 12, 1), level=3, days=rota.WORKING, window=(ws * 3600, we * 3600))
    b = weekly([2], ts(2025, 12, 1), level=2, days=rota.REST)
    c = weekly([3], ts(2025, 12, 1), level=1, days=rota.WORKING)
    assert rota.gaps(rota.resolve([a, b, c], [], {}, lo, lo + span, working)) == []


spans = st.tuples(instants, st.integers(min_value=60, max_value=5 * 86400)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=120, deadline=None)
@given(
    people=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=4),
    overrides=st.lists(st.tuples(spans, st.integers(min_value=1, max_value=6),
                                 st.one_of(st.none(), st.integers(min_value=1, max_value=6))), max_size=4),
    leave=st.dictionaries(st.integers(min_value=1, max_value=6), st.lists(spans, max_size=2), max_size=3),
    lo=instants, span=st.integers(min_value=3600, max_value=40 * 86400),
    probe=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_nobody_on_leave_is_on_call_and_a_top_override_wins(people, overrides, leave, lo, span, probe):
    layers = [weekly(people, ts(2025, 12, 1)), weekly(people[::-1], ts(2025, 12, 3, 18), level=2, days=rota.REST)]
    specs = [rota.OverrideSpec(s, e, user, replaces) for (s, e), user, replaces in overrides]
    segs = rota.resolve(layers, specs, leave, lo, lo + span, working)
    at = lo + int(probe * span)
    on_call = rota.segment_at(segs, at).users
    away = {u for u, spans_ in leave.items() if any(s <= at < e for s, e in spans_)}
    assert not set(on_call) & away
    tops = {o.user for o in specs if o.replaces is None and o.start <= at < o.end} - away
    if tops:
        assert set(on_call) == tops
