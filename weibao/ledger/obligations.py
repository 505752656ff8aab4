"""The obligations and compliance matrix: every promise of the contract (domain.md's clause
map) linked to an indicator computed from live data.

A registry: obligation key → indicator function. Apps built later (on-call rosters, holiday
duty, incidents and emergency plans, training, personnel records, data-change approvals,
reports) plug their indicators in from their ``AppConfig.ready()``::

    from weibao.ledger.obligations import register_indicator
    register_indicator("holiday_duty", holiday_duty_indicator)

An indicator is ``fn(contract, start, end) -> Indicator`` for the period ``start`` ..
``end`` (dates, both included). An obligation without an indicator says "暂无数据"
plainly rather than guessing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.contracts.models import Contract, Membership
from weibao.contracts.roles import VENDOR_ROLES, ContractRole
from weibao.core import clock
from weibao.feedback.models import Rating, Rectification
from weibao.ledger.services.payments import schedule
from weibao.servicedesk.models import Channel, SlaClock, Ticket
from weibao.visits.models import Visit


class Status:
    MET = "met"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    NO_DATA = "no_data"
    LABELS = {
        "met": gettext_lazy("达标"),
        "at_risk": gettext_lazy("有风险"),
        "breached": gettext_lazy("未达标"),
        "no_data": gettext_lazy("暂无数据"),
    }


@dataclass
class Indicator:
    status: str
    text: str
    evidence: list[dict] = field(default_factory=list)  # [{"label": ..., "url": ...}]


@dataclass(frozen=True)
class Obligation:
    key: str
    title: str
    clause: str
    source: str  # what data would prove it, said when there is none yet


OBLIGATIONS: list[Obligation] = [
    Obligation("hotline_7x24", gettext_lazy("7×24 小时电话支持"), "四.2、五.3", gettext_lazy("热线来电记录")),
    Obligation("response_resolution", gettext_lazy("响应与解决时限"), "四.2", gettext_lazy("工单服务级别计时")),
    Obligation("onsite_service", gettext_lazy("主动与按需上门服务"), "四.2", gettext_lazy("现场服务记录")),
    Obligation("residency", gettext_lazy("工作日现场驻场（常驻不少于1人）"), "四.2、五.2", gettext_lazy("驻场排班")),
    Obligation("holiday_duty", gettext_lazy("重大节假日专项值守"), "四.2、五.3", gettext_lazy("节假日值班表")),
    Obligation("oncall_coverage", gettext_lazy("7×24 值班无空档"), "五.3", gettext_lazy("值班排班")),
    Obligation("emergency_plans", gettext_lazy("应急预案与演练"), "四.2", gettext_lazy("应急预案、演练记录")),
    Obligation("incident_handling", gettext_lazy("突发事件及时响应处理"), "四.2", gettext_lazy("事件记录")),
    Obligation("training", gettext_lazy("技术培训"), "四.2", gettext_lazy("培训记录")),
    Obligation("named_pm", gettext_lazy("项目经理负责制"), "五.1", gettext_lazy("项目成员")),
    Obligation("staff_insurance", gettext_lazy("人员意外伤害保险与保密协议"), "五.2", gettext_lazy("人员档案")),
    Obligation("data_change_approval", gettext_lazy("数据修改须经甲方同意"), "五.5", gettext_lazy("变更与数据审批")),
    Obligation("satisfaction", gettext_lazy("服务质量达到甲方要求（好差评）"), "六", gettext_lazy("服务评价")),
    Obligation("reports", gettext_lazy("运维报告按期提交"), "六", gettext_lazy("运维月报")),
    Obligation("no_subcontracting", gettext_lazy("禁止转让分包"), "十一.4", gettext_lazy("工单处理人")),
    Obligation("bureau_payment", gettext_lazy("甲方按约付款"), "七、八（甲方4）", gettext_lazy("付款节点与到账")),
]

INDICATORS: dict[str, Callable[[Contract, dt.date, dt.date], Indicator]] = {}


def register_indicator(key: str, fn: Callable) -> None:
    """Plug the indicator of an obligation in (replacing the one before, if any)."""
    if key not in {o.key for o in OBLIGATIONS}:
        raise KeyError(key)
    INDICATORS[key] = fn


def register_obligation(obligation: Obligation, fn: Callable | None = None) -> None:
    """A promise not in the seed's clause map (another contract's extra clause)."""
    if obligation.key not in {o.key for o in OBLIGATIONS}:
        OBLIGATIONS.append(obligation)
    if fn is not None:
        INDICATORS[obligation.key] = fn


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.combine(start, dt.time(), tzinfo=clock.SHANGHAI)
    return begin, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)


def _tickets_url(**params) -> str:
    return reverse("servicedesk:list") + "?" + urlencode(params)


# -- indicators from what exists today ----------------------------------------------------


def hotline_indicator(contract, start, end) -> Indicator:
    begin, stop = _bounds(start, end)
    calls = Ticket.objects.filter(contract=contract, channel=Channel.PHONE, created_at__gte=begin, created_at__lt=stop)
    total = calls.count()
    if not total:
        return Indicator(Status.NO_DATA, _("本期没有登记热线来电。"))
    off_hours = sum(1 for at in calls.values_list("created_at", flat=True)
                    if not (at.astimezone(clock.SHANGHAI).weekday() < 5 and 9 <= at.astimezone(clock.SHANGHAI).hour < 18))
    evidence = [{"label": _("热线工单"), "url": _tickets_url(channel=Channel.PHONE, created_from=start.isoformat())}]
    text = _("本期热线来电 %(total)d 个，其中非工作时间 %(off)d 个。") % {"total": total, "off": off_hours}
    return Indicator(Status.MET if off_hours else Status.AT_RISK, text, evidence)


def sla_indicator(contract, start, end) -> Indicator:
    begin, stop = _bounds(start, end)
    clocks = SlaClock.objects.filter(ticket__contract=contract, ticket__created_at__gte=begin, ticket__created_at__lt=stop)
    counts = clocks.aggregate(total=Count("id"), breached=Count("id", filter=Q(state=SlaClock.State.BREACHED)),
                              warned=Count("id", filter=Q(warned_at__isnull=False, state=SlaClock.State.RUNNING)))
    if not counts["total"]:
        return Indicator(Status.NO_DATA, _("本期没有计时的工单。"))
    rate = 100 * (counts["total"] - counts["breached"]) / counts["total"]
    text = _("本期服务级别计时 %(total)d 项，超时 %(breached)d 项，达成率 %(rate).1f%%。") % {
        "total": counts["total"], "breached": counts["breached"], "rate": rate}
    evidence = [{"label": _("超时工单"), "url": _tickets_url(sla_state=SlaClock.State.BREACHED)}]
    if counts["breached"]:
        status = Status.BREACHED
    elif counts["warned"]:
        status = Status.AT_RISK
    else:
        status = Status.MET
    return Indicator(status, text, evidence)


def onsite_indicator(contract, start, end) -> Indicator:
    begin, stop = _bounds(start, end)
    visits = Visit.objects.filter(contract=contract, planned_start__gte=begin, planned_start__lt=stop).exclude(
        status=Visit.Status.CANCELLED)
    total = visits.count()
    if not total:
        return Indicator(Status.NO_DATA, _("本期没有现场服务记录。"))
    done = visits.filter(arrived_at__isnull=False).count()
    confirmed = visits.filter(confirmed_at__isnull=False).count()
    late = visits.filter(arrived_at__isnull=True, planned_end__lt=clock.now()).count()
    text = _("本期现场服务 %(total)d 次，到场 %(done)d 次，甲方确认 %(confirmed)d 次，逾期未到场 %(late)d 次。") % {
        "total": total, "done": done, "confirmed": confirmed, "late": late}
    evidence = [{"label": _("现场服务日历"), "url": reverse("visits:calendar") + f"?week={start.isoformat()}"}]
    return Indicator(Status.BREACHED if late else Status.MET, text, evidence)


def named_pm_indicator(contract, start, end) -> Indicator:
    managers = Membership.objects.filter(contract=contract, role=ContractRole.PROJECT_MANAGER, active=True,
                                         user__is_active=True).select_related("user")
    names = "、".join(m.user.display_name or m.user.username for m in managers)
    if not names:
        return Indicator(Status.BREACHED, _("合同没有在岗的项目经理。"))
    return Indicator(Status.MET, _("项目经理：%(names)s。") % {"names": names})


def satisfaction_indicator(contract, start, end) -> Indicator:
    begin, stop = _bounds(start, end)
    ratings = Rating.objects.filter(contract=contract, created_at__gte=begin, created_at__lt=stop)
    figures = ratings.aggregate(total=Count("id"), average=Avg("level"), poor=Count("id", filter=Q(level__lte=2)))
    overdue = Rectification.objects.filter(contract=contract, closed_at__isnull=True, due_on__lt=end).count()
    if not figures["total"] and not overdue:
        return Indicator(Status.NO_DATA, _("本期没有服务评价。"))
    text = _("本期评价 %(total)d 个，平均 %(average).2f 分，差评 %(poor)d 个，逾期未整改 %(overdue)d 个。") % {
        "total": figures["total"], "average": figures["average"] or 0, "poor": figures["poor"], "overdue": overdue}
    evidence = [{"label": _("差评整改"), "url": reverse("feedback:list")}]
    if overdue:
        return Indicator(Status.BREACHED, text, evidence)
    return Indicator(Status.AT_RISK if figures["poor"] else Status.MET, text, evidence)


def no_subcontracting_indicator(contract, start, end) -> Indicator:
    """Clause 十一.4: every ticket of the period was handled by the vendor's own team."""
    begin, stop = _bounds(start, end)
    assignees = set(Ticket.objects.filter(contract=contract, updated_at__gte=begin, created_at__lt=stop,
                                          assignee__isnull=False).values_list("assignee_id", flat=True))
    if not assignees:
        return Indicator(Status.NO_DATA, _("本期没有分派的工单。"))
    team = set(Membership.objects.filter(contract=contract, role__in=list(VENDOR_ROLES), active=True)
               .values_list("user_id", flat=True))
    outsiders = assignees - team
    if outsiders:
        return Indicator(Status.BREACHED, _("有 %(count)d 名处理人不是本合同乙方团队成员。") % {"count": len(outsiders)})
    return Indicator(Status.MET, _("本期 %(count)d 名处理人均为本合同乙方团队成员。") % {"count": len(assignees)})


def bureau_payment_indicator(contract, start, end) -> Indicator:
    states = schedule(contract, end)
    if not states:
        return Indicator(Status.NO_DATA, _("尚未建立付款计划。"))
    overdue = [s for s in states if s.status == "overdue"]
    paid = [s for s in states if s.status == "paid"]
    evidence = [{"label": _("付款计划"), "url": reverse("ledger:overview", args=[contract.pk])}]
    text = _("付款节点 %(total)d 个，已到账 %(paid)d 个，逾期 %(overdue)d 个。") % {
        "total": len(states), "paid": len(paid), "overdue": len(overdue)}
    return Indicator(Status.BREACHED if overdue else Status.MET, text, evidence)


register_indicator("hotline_7x24", hotline_indicator)
register_indicator("response_resolution", sla_indicator)
register_indicator("onsite_service", onsite_indicator)
register_indicator("named_pm", named_pm_indicator)
register_indicator("satisfaction", satisfaction_indicator)
register_indicator("no_subcontracting", no_subcontracting_indicator)
register_indicator("bureau_payment", bureau_payment_indicator)


# -- the matrix ----------------------------------------------------------------------------


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def matrix(contract, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Rows of the obligations matrix for the period (this month so far, unless told)."""
    if start is None or end is None:
        start, month_end = month_bounds(clock.local_now().date())
        end = min(month_end, clock.local_now().date())
    rows = []
    for obligation in OBLIGATIONS:
        fn = INDICATORS.get(obligation.key)
        if fn is None:
            indicator = Indicator(Status.NO_DATA, _("暂无数据：%(source)s功能尚未上线。") % {"source": obligation.source})
        else:
            indicator = fn(contract, start, end)
        rows.append({
            "key": obligation.key,
            "obligation": str(obligation.title),
            "clause": obligation.clause,
            "status": indicator.status,
            "status_label": str(Status.LABELS[indicator.status]),
            "indicator": indicator.text,
            "evidence": [dict(e) for e in indicator.evidence],
        })
    return rows

