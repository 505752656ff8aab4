"""The ledger's money and date maths: proration (clause 七.3), penalties (clause 九),
renewal eligibility (clause 十一.2). Pure functions over Decimal and date, free of Django,
so hypothesis can try them and a benchmark can time them.

Rounding happens once, at the end, to the fen (0.01), half up (四舍五入) — never on an
intermediate figure such as the daily rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def money_text(amount: Decimal) -> str:
    """Money for an API answer: a string with two decimals ("-12.30")."""
    return f"{to_fen(amount):.2f}"


# -- proration, clause 七.3 ---------------------------------------------------------------


@dataclass(frozen=True)
class Proration:
    term_start: dt.date
    term_end: dt.date
    last_service_day: dt.date
    total: Decimal
    paid: Decimal
    served_days: int
    term_days: int
    daily_rate: Decimal  # shown only; the earned amount is not computed from it
    earned: Decimal
    balance: Decimal  # earned − paid: what the bureau still owes; negative = refund due

    @property
    def working(self) -> str:
        """The sum as a person checks it by hand."""
        return (
            f"{self.total:.2f} × {self.served_days} ÷ {self.term_days} = {self.earned:.2f}；"
            f"{self.earned:.2f} − {self.paid:.2f} = {self.balance:.2f}"
        )


def prorate(total: Decimal, term_start: dt.date, term_end: dt.date, last_service_day: dt.date,
            paid: Decimal = Decimal("0")) -> Proration:
    """Earned = total × served days ÷ term days, rounded once to the fen, half up.

    Both the first and the last service day count (a term 2026-03-09 – 2027-03-08 is 365
    days). ``last_service_day`` must lie within the term (ValueError otherwise).
    """
    if term_end < term_start:
        raise ValueError("term ends before it starts")
    if not term_start <= last_service_day <= term_end:
        raise ValueError("last service day outside the term")
    term_days = (term_end - term_start).days + 1
    served_days = (last_service_day - term_start).days + 1
    earned = to_fen(total * served_days / term_days) if served_days < term_days else to_fen(total)
    return Proration(
        term_start=term_start, term_end=term_end, last_service_day=last_service_day,
        total=to_fen(total), paid=to_fen(paid), served_days=served_days, term_days=term_days,
        daily_rate=to_fen(total / term_days), earned=earned, balance=earned - to_fen(paid),
    )


# -- penalties, clause 九 ------------------------------------------------------------------


@dataclass(frozen=True)
class PenaltyFigure:
    base_amount: Decimal
    rate: Decimal
    days: int
    uncapped: Decimal
    amount: Decimal
    capped: bool

    @property
    def working(self) -> str:
        days = f" × {self.days} 日" if self.days != 1 else ""
        text = f"{self.base_amount:.2f} × {self.rate.normalize()}{days} = {self.uncapped:.2f}"
        return text + (f"（封顶 {self.amount:.2f}）" if self.capped else "")


def penalty(base_amount: Decimal, rate: Decimal, *, per_day: bool, days: int = 1,
            cap: Decimal | None = None) -> PenaltyFigure:
    """违约金 = base × rate (× days late, for a per-day rule), rounded once to the fen and
    never above ``cap``. A once-only rule ignores ``days``."""
    if base_amount < 0 or rate < 0 or days < 0:
        raise ValueError("negative penalty input")
    count = days if per_day else 1
    uncapped = to_fen(base_amount * rate * count)
    amount = uncapped
    capped = cap is not None and uncapped > cap
    if capped:
        amount = to_fen(cap)
    return PenaltyFigure(to_fen(base_amount), rate, count, uncapped, amount, capped)


def days_late(due_on: dt.date, paid_on: dt.date | None, today: dt.date) -> int:
    """Whole days after ``due_on`` until the money came (or until today, if not yet)."""
    end = paid_on or today
    return max(0, (end - due_on).days)


# -- renewal, clause 十一.2 ----------------------------------------------------------------


@dataclass(frozen=True)
class RenewalRules:
    window_days: int = 15  # "本合同期满前 15 天内"
    max_renewals: int = 2  # "续签次数不得超过两次"
    max_total_years: int = 3  # "总服务期限不得超过三年"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    renewals_used: int = 0
    years_used: Decimal = Decimal("0")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def renewal_eligibility(*, today: dt.date, first_start: dt.date, term_end: dt.date,
                        renewals_used: int, proposed_end: dt.date | None = None,
                        rules: RenewalRules = RenewalRules(),
                        messages: dict[str, str] | None = None) -> Eligibility:
    """Whether a renewal may be agreed today. ``first_start`` is the first period's start,
    ``term_end`` the current period's end, ``renewals_used`` how many renewals led to it.

    The window is the 15 days before expiry, the expiry day included: term_end − 14 …
    term_end. Years used count from ``first_start`` to ``term_end`` (365 days a year);
    the limit is that the whole service, the proposed renewal included, ends no later
    than ``first_start`` plus three years (less one day).
    """
    text = {
        "window_before": "尚未进入续签窗口（合同期满前 {days} 天内）。",
        "window_after": "合同已期满，续签窗口已过。",
        "count": "续签次数已达上限（{max} 次）。",
        "years": "总服务期限将超过 {max} 年。",
        "years_full": "总服务期限已达 {max} 年。",
    } | (messages or {})
    window_start = term_end - dt.timedelta(days=rules.window_days - 1)
    reasons = []
    if today < window_start:
        reasons.append(text["window_before"].format(days=rules.window_days))
    elif today > term_end:
        reasons.append(text["window_after"])
    if renewals_used >= rules.max_renewals:
        reasons.append(text["count"].format(max=rules.max_renewals))
    limit_end = add_years(first_start, rules.max_total_years) - dt.timedelta(days=1)
    if term_end >= limit_end:
        reasons.append(text["years_full"].format(max=rules.max_total_years))
    elif proposed_end is not None and proposed_end > limit_end:
        reasons.append(text["years"].format(max=rules.max_total_years))
    years_used = (Decimal((term_end - first_start).days + 1) / Decimal(365)).quantize(FEN, rounding=ROUND_HALF_UP)
    return Eligibility(
        eligible=not reasons, reasons=reasons, window_start=window_start, window_end=term_end,
        renewals_used=renewals_used, years_used=years_used,
    )


def latest_renewal_end(first_start: dt.date, rules: RenewalRules = RenewalRules()) -> dt.date:
    """The last day the service may run, renewals included."""
    return add_years(first_start, rules.max_total_years) - dt.timedelta(days=1)
