"""Indicators of the obligations whose evidence lives in the on-call and people apps
(residency, 7×24 coverage, staff insurance and agreements, training): computed from their
records each time the matrix is read, like the others in ``obligations``."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.contracts.models import Membership
from weibao.contracts.roles import VENDOR_ROLES
from weibao.core import clock
from weibao.ledger.obligations import Indicator, Status, register_indicator
from weibao.oncall import coverage
from weibao.people import compliance, training


def _past_part(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of the period up to today: a promise is judged on what has happened."""
    last = min(end, clock.local_now().date())
    return (start, last) if start <= last else None


def residency_indicator(contract, start, end) -> Indicator:
    period = _past_part(start, end)
    if period is None:
        return Indicator(Status.NO_DATA, _("本期尚未开始。"))
    days = coverage.residency_days(contract, *period)
    if not days:
        return Indicator(Status.NO_DATA, _("本期没有工作日。"))
    short = [d for d in days if d["have"] < d["need"]]
    text = _("本期 %(days)d 个工作日，驻场人数不足 %(short)d 天。") % {"days": len(days), "short": len(short)}
    evidence = [{"label": _("驻场排班"), "url": reverse("oncall:residency")}]
    return Indicator(Status.BREACHED if short else Status.MET, text, evidence)


def oncall_coverage_indicator(contract, start, end) -> Indicator:
    period = _past_part(start, end)
    if period is None:
        return Indicator(Status.NO_DATA, _("本期尚未开始。"))
    lo = dt.datetime.combine(period[0], dt.time(), tzinfo=clock.SHANGHAI)
    hi = min(dt.datetime.combine(period[1] + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI), clock.now())
    gaps = coverage.uncovered(contract, lo, hi)
    minutes = sum(int((g["end"] - g["start"]).total_seconds() // 60) for g in gaps)
    evidence = [{"label": _("值班覆盖缺口"), "url": reverse("oncall:gaps")}]
    if not gaps:
        return Indicator(Status.MET, _("本期值班无空档。"), evidence)
    return Indicator(Status.BREACHED, _("本期值班空档 %(count)d 段，共 %(minutes)d 分钟。") % {
        "count": len(gaps), "minutes": minutes}, evidence)


def staff_indicator(contract, start, end) -> Indicator:
    if not compliance.register_kept(contract.pk):
        return Indicator(Status.NO_DATA, _("尚未建立人员档案。"))
    day = min(end, clock.local_now().date())
    users = [m.user for m in Membership.objects.filter(
        contract=contract, role__in=list(VENDOR_ROLES), active=True, user__is_active=True).select_related("user")]
    users = list({u.pk: u for u in users}.values())
    standings = compliance.standings(contract, users, day)
    lapsed = [s for s in standings if not s.compliant]
    expiring = [s for s in standings if s.compliant and s.expiring]
    text = _("乙方团队 %(total)d 人，保险或保密协议缺失/过期 %(lapsed)d 人，30 天内到期 %(expiring)d 人。") % {
        "total": len(standings), "lapsed": len(lapsed), "expiring": len(expiring)}
    evidence = [{"label": _("团队与培训"), "url": reverse("people:team")}]
    status = Status.BREACHED if lapsed else Status.AT_RISK if expiring else Status.MET
    return Indicator(status, text, evidence)


def training_indicator(contract, start, end) -> Indicator:
    figures = training.figures(contract, end.year)
    if not figures.planned:
        return Indicator(Status.NO_DATA, _("%(year)d 年尚无培训计划。") % {"year": end.year})
    text = _("%(year)d 年计划培训 %(planned)d 次，已举办 %(held)d 次。") % {
        "year": end.year, "planned": figures.planned, "held": figures.held}
    if not figures.plan_agreed:
        return Indicator(Status.AT_RISK, text + _("培训计划尚未经甲方确认。"))
    return Indicator(Status.MET if figures.held >= figures.planned else Status.AT_RISK, text)


register_indicator("residency", residency_indicator)
register_indicator("oncall_coverage", oncall_coverage_indicator)
register_indicator("staff_insurance", staff_indicator)
register_indicator("training", training_indicator)
