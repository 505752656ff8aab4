"""The ledger's pure maths: hand-computed seed examples and hypothesis properties."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weibao.ledger.money import penalty, prorate, renewal_eligibility

SEED_TOTAL = Decimal("1370000.00")
SEED_START = dt.date(2026, 3, 9)
SEED_END = dt.date(2027, 3, 8)


def test_seed_proration_by_hand():
    # 2026-03-09 .. 2026-06-30: 23 + 30 + 31 + 30 = 114 days of a 365-day term.
    # 1370000 × 114 ÷ 365 = 427890.4109… → 427890.41; the 30 % advance 411000.00 was paid.
    result = prorate(SEED_TOTAL, SEED_START, SEED_END, dt.date(2026, 6, 30), paid=Decimal("411000"))
    assert (result.served_days, result.term_days) == (114, 365)
    assert result.daily_rate == Decimal("3753.42")  # 3753.4246… shown only
    assert result.earned == Decimal("427890.41")
    assert result.balance == Decimal("16890.41")
    assert "1370000.00 × 114 ÷ 365 = 427890.41" in result.working


def test_rounding_is_once_not_from_the_rounded_daily_rate():
    # From the rounded daily rate 3753.42 × 114 = 427889.88, 0.53 short: not what 七.3 says.
    assert prorate(SEED_TOTAL, SEED_START, SEED_END, dt.date(2026, 6, 30)).earned != Decimal("3753.42") * 114


def test_refund_due_is_a_negative_balance():
    result = prorate(SEED_TOTAL, SEED_START, SEED_END, dt.date(2026, 3, 18), paid=Decimal("411000"))
    # 1370000 × 10 ÷ 365 = 37534.2465… → 37534.25; 37534.25 − 411000 = −373465.75
    assert result.earned == Decimal("37534.25")
    assert result.balance == Decimal("-373465.75")


def test_half_up_at_the_fen():
    # 1000.01 × 1 ÷ 2 = 500.005 → 500.01 (half up, not banker's 500.00)
    assert prorate(Decimal("1000.01"), dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 1)).earned == Decimal("500.01")


@pytest.mark.parametrize("day", [dt.date(2026, 3, 8), dt.date(2027, 3, 9)])
def test_a_day_outside_the_term_is_refused(day):
    with pytest.raises(ValueError):
        prorate(SEED_TOTAL, SEED_START, SEED_END, day)


terms = st.tuples(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 3 * 366))
totals = st.decimals(Decimal("0"), Decimal("99999999999.99"), places=2, allow_nan=False, allow_infinity=False)


# The machine is shared: no time limits on generating or running an example.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(totals, terms, st.data())
def test_proration_properties(total, term, data):
    start, length = term
    end = start + dt.timedelta(days=length)
    served = data.draw(st.integers(0, length))
    day = start + dt.timedelta(days=served)
    result = prorate(total, start, end, day)
    assert Decimal("0") <= result.earned <= total
    assert result.earned.as_tuple().exponent == -2
    if day < end:
        assert prorate(total, start, end, day + dt.timedelta(days=1)).earned >= result.earned
    assert prorate(total, start, end, end).earned == total


def test_seed_penalties_by_hand():
    # 九.3 confidentiality: 1370000 × 3/10000 = 411.00, once.
    assert penalty(SEED_TOTAL, Decimal("0.0003"), per_day=False).amount == Decimal("411.00")
    # 九.4 late payment of the 959000.00 balance, 10 days late: 959000 × 0.0003 × 10 = 2877.00
    figure = penalty(Decimal("959000.00"), Decimal("0.0003"), per_day=True, days=10)
    assert figure.amount == Decimal("2877.00")
    assert "959000.00 × 0.0003 × 10 日 = 2877.00" == figure.working
    assert penalty(Decimal("959000.00"), Decimal("0.0003"), per_day=True, days=10, cap=Decimal("1000")).amount == Decimal("1000.00")


@RELAXED
@given(
    st.decimals(Decimal("0"), Decimal("9999999999.99"), places=2),
    st.decimals(Decimal("0"), Decimal("0.1"), places=6),
    st.booleans(), st.integers(0, 2000),
    st.one_of(st.none(), st.decimals(Decimal("0"), Decimal("99999999.99"), places=2)),
)
def test_penalty_never_exceeds_its_cap(base, rate, per_day, days, cap):
    figure = penalty(base, rate, per_day=per_day, days=days, cap=cap)
    assert figure.amount >= 0
    if cap is not None:
        assert figure.amount <= cap
    if per_day and days and not figure.capped:
        assert penalty(base, rate, per_day=True, days=days + 1, cap=cap).amount >= figure.amount


def test_seed_renewal_window_by_hand():
    # 十一.2: within 15 days before expiry 2027-03-08: 2027-02-22 .. 2027-03-08.
    before = renewal_eligibility(today=dt.date(2027, 2, 21), first_start=SEED_START, term_end=SEED_END, renewals_used=0)
    assert not before.eligible and before.window_start == dt.date(2027, 2, 22)
    inside = renewal_eligibility(today=dt.date(2027, 2, 22), first_start=SEED_START, term_end=SEED_END, renewals_used=0)
    assert inside.eligible and inside.years_used == Decimal("1.00")
    assert renewal_eligibility(today=SEED_END, first_start=SEED_START, term_end=SEED_END, renewals_used=0).eligible
    after = renewal_eligibility(today=dt.date(2027, 3, 9), first_start=SEED_START, term_end=SEED_END, renewals_used=0)
    assert not after.eligible


def test_renewal_limits():
    # Third year: 2028-03-09 .. 2029-03-08 ends the three years; no further renewal.
    third = renewal_eligibility(today=dt.date(2029, 3, 1), first_start=SEED_START,
                                term_end=dt.date(2029, 3, 8), renewals_used=2)
    assert not third.eligible and len(third.reasons) == 2
    second = renewal_eligibility(today=dt.date(2028, 3, 1), first_start=SEED_START,
                                 term_end=dt.date(2028, 3, 8), renewals_used=1,
                                 proposed_end=dt.date(2029, 6, 30))
    assert not second.eligible and "3" in second.reasons[0]
    assert renewal_eligibility(today=dt.date(2028, 3, 1), first_start=SEED_START,
                               term_end=dt.date(2028, 3, 8), renewals_used=1,
                               proposed_end=dt.date(2029, 3, 8)).eligible
