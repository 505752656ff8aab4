"""Indicators of the obligations whose evidence lives in the on-call, people, incidents and
changes apps (residency, 7×24 coverage, holiday duty, staff insurance and agreements,
training, emergency plans and drills, incident reporting, approvals before changes):
computed from their records each time the matrix is read, like the others in
``obligations``. Operation reports have no app yet, and the matrix says so."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.changes.models import ChangeApproval, ChangeRequest
from weibao.contracts.models import Membership
from weibao.contracts.roles import VENDOR_ROLES
from weibao.core import clock
from weibao.incidents.models import Drill, EmergencyPlan, Incident, ReportingDuty
from weibao.ledger.obligations import Indicator, Status, register_indicator
from weibao.oncall import coverage, duty
from weibao.oncall.models import DutyDay, DutyPlan
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


def _instants(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.combine(first, dt.time(), tzinfo=clock.SHANGHAI)
    return begin, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)


def holiday_duty_indicator(contract, start, end) -> Indicator:
    """Clause 四.2/五.3: every statutory holiday rest day of the period is staffed by a
    duty plan the bureau confirmed. A day already past without one is a breach; a day
    still to come without one is a risk (the plan is yet to be sent or confirmed)."""
    periods = duty.holiday_periods(contract.pk, start, end)
    days = sorted({d for p in periods for d in p.days if start <= d <= end})
    if not days:
        return Indicator(Status.NO_DATA, _("本期没有法定节假日。"))
    staffed = set(
        DutyDay.objects.filter(plan__contract=contract, plan__status=DutyPlan.Status.CONFIRMED, date__in=days,
                               people__isnull=False).values_list("date", flat=True)
    )
    today = clock.local_now().date()
    missed = [d for d in days if d not in staffed and d <= today]
    pending = [d for d in days if d not in staffed and d > today]
    names = "、".join(dict.fromkeys(p.name for p in periods))
    text = _("本期法定节假日 %(days)d 天（%(names)s），有经甲方确认的值守安排 %(staffed)d 天。") % {
        "days": len(days), "names": names, "staffed": len(days) - len(missed) - len(pending)}
    if missed:
        text += _("已过去而无确认值守的：%(list)s。") % {"list": "、".join(d.isoformat() for d in missed)}
    elif pending:
        text += _("值守计划待报送或待甲方确认：%(list)s。") % {"list": "、".join(d.isoformat() for d in pending)}
    evidence = [{"label": _("节假日值守计划"), "url": reverse("oncall:holidays")}]
    return Indicator(Status.BREACHED if missed else Status.AT_RISK if pending else Status.MET, text, evidence)


def emergency_plans_indicator(contract, start, end) -> Indicator:
    """Clause 四.2: emergency plans kept, each rehearsed. 《国家网络安全事件应急预案》6.2
    asks for at least one drill a year, so each active plan needs a finished drill in the
    twelve months up to the period's end; in a contract's first year a plan not yet
    rehearsed is a risk, after it a breach."""
    plans = list(EmergencyPlan.objects.filter(contract=contract, active=True))
    evidence = [{"label": _("应急预案与演练"), "url": reverse("incidents:plans")}]
    if not plans:
        return Indicator(Status.BREACHED, _("没有启用的应急预案。"), evidence)
    year_ago = end - dt.timedelta(days=365)
    lo, hi = _instants(year_ago, end)
    drilled = set(Drill.objects.filter(contract=contract, status=Drill.Status.DONE, plan__in=plans,
                                       ended_at__gte=lo, ended_at__lt=hi).values_list("plan_id", flat=True))
    stale = [p for p in plans if p.updated_at < lo]
    undrilled = [p for p in plans if p.pk not in drilled]
    text = _("启用的应急预案 %(plans)d 个，近 12 个月已演练 %(drilled)d 个。") % {
        "plans": len(plans), "drilled": len(plans) - len(undrilled)}
    if undrilled:
        text += _("未演练：%(list)s。") % {"list": "、".join(p.title for p in undrilled)}
    if stale:
        text += _("超过 12 个月未修订：%(list)s。") % {"list": "、".join(p.title for p in stale)}
    if not undrilled and not stale:
        return Indicator(Status.MET, text, evidence)
    first_year = contract.term_start > year_ago
    return Indicator(Status.AT_RISK if first_year else Status.BREACHED, text, evidence)


def incident_handling_indicator(contract, start, end) -> Indicator:
    """Clause 四.2: incidents of the period reported to the bureau (and, for the severe
    levels, to the regulator) within their reporting deadlines."""
    lo, hi = _instants(start, end)
    incidents = Incident.objects.filter(contract=contract, opened_at__gte=lo, opened_at__lt=hi)
    total = incidents.count()
    if not total:
        return Indicator(Status.NO_DATA, _("本期没有突发事件。"))
    now = clock.now()
    duties = ReportingDuty.objects.filter(incident__in=incidents)
    late = duties.filter(reported_at__gt=F("due_at")).count()
    overdue = duties.filter(reported_at__isnull=True, due_at__lt=now).count()
    waiting = duties.filter(reported_at__isnull=True, due_at__gte=now).count()
    on_time = duties.filter(reported_at__lte=F("due_at")).count()
    text = _("本期突发事件 %(total)d 起，报告义务 %(duties)d 项：按时报告 %(on_time)d 项，逾期报告 %(late)d 项，"
             "超时未报 %(overdue)d 项，时限内待报 %(waiting)d 项。") % {
        "total": total, "duties": late + overdue + waiting + on_time, "on_time": on_time, "late": late,
        "overdue": overdue, "waiting": waiting}
    evidence = [{"label": _("事件记录"), "url": reverse("incidents:list")}]
    if late or overdue:
        return Indicator(Status.BREACHED, text, evidence)
    return Indicator(Status.AT_RISK if waiting else Status.MET, text, evidence)


def _approved_before(change: ChangeRequest) -> bool:
    """The bureau's approval came before the work started (a standard change's template
    was approved by the bureau once, beforehand)."""
    if change.kind == ChangeRequest.Kind.STANDARD:
        return change.template is not None and change.template.approved_at is not None \
            and change.template.approved_at <= change.started_at
    return any(a.step == ChangeApproval.Step.BUREAU and a.decision == ChangeApproval.Decision.APPROVE
               and not a.retroactive and a.at <= change.started_at for a in change.approvals.all())


def _retro_approved_in_time(change: ChangeRequest) -> bool:
    return any(a.step == ChangeApproval.Step.BUREAU and a.decision == ChangeApproval.Decision.APPROVE
               and (change.retro_due_at is None or a.at <= change.retro_due_at) for a in change.approvals.all())


def data_change_approval_indicator(contract, start, end) -> Indicator:
    """Clause 五.5: no change to the platform or its data without the bureau's consent.
    Each change started in the period: a normal or standard change approved before it
    started; an emergency change approved retroactively within the contract's hours;
    one touching data under a data-use approval in force on the day it started."""
    lo, hi = _instants(start, end)
    changes = list(ChangeRequest.objects.filter(contract=contract, started_at__gte=lo, started_at__lt=hi)
                   .select_related("template", "data_access").prefetch_related("approvals"))
    evidence = [{"label": _("变更"), "url": reverse("changes:list")},
                {"label": _("数据使用申请"), "url": reverse("changes:data_list")}]
    if not changes:
        return Indicator(Status.NO_DATA, _("本期没有实施的变更。"), evidence)
    now = clock.now()
    unapproved, awaiting, no_data_approval = [], [], []
    for change in changes:
        day = change.started_at.astimezone(clock.SHANGHAI).date()
        if change.touches_data and not (change.data_access and change.data_access.allows(day)):
            no_data_approval.append(change)
        if change.kind == ChangeRequest.Kind.EMERGENCY:
            if _retro_approved_in_time(change):
                continue
            if change.retro_due_at is not None and now <= change.retro_due_at and not any(
                    a.step == ChangeApproval.Step.BUREAU for a in change.approvals.all()):
                awaiting.append(change)
            else:
                unapproved.append(change)
        elif not _approved_before(change):
            unapproved.append(change)
    text = _("本期实施变更 %(total)d 项，未经甲方事先同意 %(unapproved)d 项，紧急变更待补批 %(awaiting)d 项，"
             "涉及数据而无有效数据使用批准 %(data)d 项。") % {
        "total": len(changes), "unapproved": len(unapproved), "awaiting": len(awaiting),
        "data": len(no_data_approval)}
    flagged = [*unapproved, *no_data_approval]
    if flagged:
        text += _("涉及：%(list)s。") % {"list": "、".join(dict.fromkeys(c.number for c in flagged))}
        return Indicator(Status.BREACHED, text, evidence)
    return Indicator(Status.AT_RISK if awaiting else Status.MET, text, evidence)


def reports_indicator(contract, start, end) -> Indicator:
    """Clause 六's monthly operation report: Weibao keeps no reports yet, so it measures
    nothing here rather than guess from other records."""
    return Indicator(Status.NO_DATA, _("未计量：本系统尚不编制或登记运维月报，按期提交情况无从核对。"))


register_indicator("residency", residency_indicator)
register_indicator("oncall_coverage", oncall_coverage_indicator)
register_indicator("staff_insurance", staff_indicator)
register_indicator("training", training_indicator)
register_indicator("holiday_duty", holiday_duty_indicator)
register_indicator("emergency_plans", emergency_plans_indicator)
register_indicator("incident_handling", incident_handling_indicator)
register_indicator("data_change_approval", data_change_approval_indicator)
register_indicator("reports", reports_indicator)
