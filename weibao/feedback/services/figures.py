"""The satisfaction figures the reports use (roadmap item 9): ratings per level, the
satisfaction rate, first-contact resolution of phone consultations, and rectifications
open and overdue, per contract and period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Q
from django.utils.translation import gettext as _

from weibao.core import clock
from weibao.core.params import BadParameter, parse_date
from weibao.feedback.models import Level, Rating, Rectification
from weibao.servicedesk.models import Ticket

#: The longest period one figures request covers (a leap year).
MAX_PERIOD_DAYS = 366


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _parse_day(name: str, raw: str | None) -> dt.date:
    try:
        day = parse_date(raw, name)
    except BadParameter as error:
        raise ValidationError({name: error.message}) from None
    if day is None:
        raise ValidationError({name: _("请填写日期（YYYY-MM-DD）。")})
    return day


def parse_period(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """A figures period from two YYYY-MM-DD dates (Asia/Shanghai days, both included):
    end not before start, at most ``MAX_PERIOD_DAYS`` days. Errors name the field."""
    errors = {}
    days = {}
    for name, raw in (("start", start), ("end", end)):
        try:
            days[name] = _parse_day(name, raw)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if days["end"] < days["start"]:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if (days["end"] - days["start"]).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"end": _("统计区间最长 %(days)s 天。") % {"days": MAX_PERIOD_DAYS}})
    return days["start"], days["end"]


@dataclass(frozen=True)
class QuickPeriod:
    key: str
    label: str
    start: dt.date
    end: dt.date


def quick_periods(today: dt.date) -> list[QuickPeriod]:
    """This month, last month, this quarter, this year: whole calendar periods."""
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    last_month_end = month_start - dt.timedelta(days=1)
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_next = (quarter_start + dt.timedelta(days=95)).replace(day=1)
    return [
        QuickPeriod("month", _("本月"), month_start, next_month - dt.timedelta(days=1)),
        QuickPeriod("last_month", _("上月"), last_month_end.replace(day=1), last_month_end),
        QuickPeriod("quarter", _("本季度"), quarter_start, quarter_next - dt.timedelta(days=1)),
        QuickPeriod("year", _("本年"), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
    ]


@dataclass
class SatisfactionFigures:
    start: dt.date
    end: dt.date
    ratings: int = 0
    per_level: dict[int, int] = field(default_factory=dict)
    relayed_by_phone: int = 0
    satisfaction_rate: Decimal | None = None
    consultations: int = 0
    first_contact_resolved: int = 0
    first_contact_rate: Decimal | None = None
    average_talk_seconds: int | None = None
    rectifications_open: int = 0
    rectifications_overdue: int = 0


def satisfaction_figures(contract, start: dt.date, end: dt.date) -> SatisfactionFigures:
    """Per contract and period [start, end] (Asia/Shanghai dates): ratings per level (of
    them, how many the vendor recorded on a call-back), the satisfaction rate (非常满意 +
    满意 + 基本满意 over all ratings), first-contact resolution of phone consultations
    and their average talk time; rectifications still open, and overdue, at the end of
    the period (today, for a period not over yet)."""
    begin = dt.datetime.combine(start, dt.time(), tzinfo=clock.SHANGHAI)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    figures = SatisfactionFigures(start, end)
    ratings = Rating.objects.filter(contract=contract, created_at__gte=begin, created_at__lt=finish)
    counts = dict(ratings.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    figures.per_level = {level: counts.get(level, 0) for level in sorted(Level.values, reverse=True)}
    figures.ratings = sum(figures.per_level.values())
    figures.relayed_by_phone = ratings.filter(source=Rating.Source.PHONE).count()
    satisfied = sum(n for level, n in figures.per_level.items() if level >= Level.BASICALLY_SATISFIED)
    figures.satisfaction_rate = _percent(satisfied, figures.ratings)
    calls = Ticket.objects.filter(
        contract=contract, channel="phone", type="consultation",
        created_at__gte=begin, created_at__lt=finish,
    )
    call_figures = calls.aggregate(
        total=Count("id"),
        fcr=Count("id", filter=Q(first_contact_resolved=True)),
        talk=Avg(F("call_ended_at") - F("call_started_at"), filter=Q(call_ended_at__isnull=False)),
    )
    figures.consultations = call_figures["total"]
    figures.first_contact_resolved = call_figures["fcr"]
    figures.first_contact_rate = _percent(call_figures["fcr"], call_figures["total"])
    talk = call_figures["talk"]
    figures.average_talk_seconds = int(talk.total_seconds()) if talk is not None else None
    rectifications = Rectification.objects.filter(contract=contract)
    if finish <= clock.now():  # a past period: the ones open when it ended
        open_items = rectifications.filter(created_at__lt=finish).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=finish)
        )
    else:
        open_items = rectifications.filter(status=Rectification.Status.OPEN)
    figures.rectifications_open = open_items.count()
    figures.rectifications_overdue = open_items.filter(
        due_on__lt=min(end, clock.local_now().date())
    ).count()
    return figures
