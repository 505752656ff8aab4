"""The pure parts: the up/down state machine and the availability maths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from weibao.monitoring import availability
from weibao.monitoring.statemachine import DOWN, UNKNOWN, UP, Counters, step

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _run(results, state=UNKNOWN, n=3, m=2):
    counters = Counters(state, 0, 0)
    states = []
    for ok in results:
        counters = step(counters, ok, failures_to_down=n, successes_to_up=m)
        states.append(counters.state)
    return states


def test_down_only_after_n_consecutive_failures():
    assert _run([True, False, False, True, False, False, False]) == [UP, UP, UP, UP, UP, UP, DOWN]


def test_unknown_goes_up_at_first_success_and_down_after_n():
    assert _run([True]) == [UP]
    assert _run([False, False, False]) == [UNKNOWN, UNKNOWN, DOWN]


def test_flapping_is_damped_down_needs_m_successes_in_a_row():
    states = _run([True, False, True, False, True, True], state=DOWN, n=1, m=2)
    assert states == [DOWN, DOWN, DOWN, DOWN, DOWN, UP]
    # alternating results never change an up monitor with n=2
    assert set(_run([False, True] * 10, state=UP, n=2)) == {UP}


def h(hours, minutes=0):
    return T0 + dt.timedelta(hours=hours, minutes=minutes)


def test_interval_maths():
    assert availability.merge([(h(2), h(3)), (h(1), h(2, 30)), (h(5), h(5))]) == [(h(1), h(3))]
    assert availability.subtract([(h(1), h(5))], [(h(2), h(3)), (h(4), h(6))]) == [(h(1), h(2)), (h(3), h(4))]
    assert availability.down_intervals([(h(1), DOWN), (h(2), UP), (h(3), DOWN)], h(0), h(4), UP) == [
        (h(1), h(2)), (h(3), h(4))]
    assert availability.down_intervals([(h(1), UP)], h(0), h(4), DOWN) == [(h(0), h(1))]


def test_hand_computed_day_with_a_maintenance_window():
    """One day (1,440 min). Down 02:00–03:00 and 10:00–10:30; maintenance 02:30–04:00
    (90 min). Measured: 1,440 − 90 = 1,350 min. Downtime outside maintenance: 30 + 30 =
    60 min. Availability = 1 − 60/1,350 = 95.556 %."""
    down = [(h(2), h(3)), (h(10), h(10, 30))]
    maintenance = [(h(2, 30), h(4))]
    figures = availability.figures(down, maintenance, h(0), h(24))
    assert figures.measured == dt.timedelta(minutes=1350)
    assert figures.downtime == dt.timedelta(minutes=60)
    assert figures.maintenance == dt.timedelta(minutes=90)
    assert figures.percent == Decimal("95.556")
    assert figures.downtime_minutes == Decimal("60.0")


def test_time_after_now_is_not_measured_and_nothing_measured_is_none():
    figures = availability.figures([(h(1), h(2))], [], h(0), h(24), until=h(4))
    assert figures.measured == dt.timedelta(hours=4)
    assert figures.percent == Decimal("75.000")
    assert availability.figures([], [(h(0), h(24))], h(0), h(24)).percent is None
