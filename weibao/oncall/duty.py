"""Holiday duty plans (节假日值守, clause 四.2 and 五.3): one per statutory holiday period
of the contract's calendar, on site or remote per day as the bureau requires, sent to
the bureau liaison, whose confirmation in the product is the evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.calendars.official import name_zh
from weibao.calendars.services import day_rules_for
from weibao.contracts.access import require
from weibao.contracts.roles import Capability, ContractRole
from weibao.core import clock
from weibao.notifications.services import notify
from weibao.oncall.eligibility import rosterable
from weibao.oncall.models import DutyDay, DutyPlan, Schedule
from weibao.oncall.services import on_call_at


@dataclass(frozen=True)
class HolidayPeriod:
    name: str
    first_day: dt.date
    last_day: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.first_day + dt.timedelta(days=i) for i in range((self.last_day - self.first_day).days + 1)]


def holiday_periods(contract_id: int, first: dt.date, last: dt.date) -> list[HolidayPeriod]:
    """The statutory holiday periods touching [first, last]: each run of consecutive rest
    days of the contract's calendar holding at least one statutory holiday (so 国庆
    with its adjoining weekend is one period; a make-up workday (调休) ends a run)."""
    rules = day_rules_for(contract_id)
    named = {**rules.provisional_rest, **rules.official_rest}
    periods = []
    day = first - dt.timedelta(days=10)  # a period already running on ``first``
    end = last + dt.timedelta(days=10)
    run: list[dt.date] = []
    while day <= end:
        if not rules.is_working_day(day):
            run.append(day)
        else:
            periods.extend(_period(run, named))
            run = []
        day += dt.timedelta(days=1)
    periods.extend(_period(run, named))
    return [p for p in periods if p.last_day >= first and p.first_day <= last]


def _period(run: list[dt.date], named: dict[dt.date, str]) -> list[HolidayPeriod]:
    names = [named[d] for d in run if d in named]
    if not run or not names:
        return []
    # Holidays sharing one block are named together (中秋、国庆 in 2025).
    name = "、".join(dict.fromkeys(name_zh(n) for n in names))
    return [HolidayPeriod(name, run[0], run[-1])]


def generate_plan(contract, period: HolidayPeriod, *, by) -> DutyPlan:
    """A draft plan for ``period``: every day remote, staffed by who is on call at 09:00
    that day on the contract's schedules (the PM edits it). Generating again returns the
    existing plan untouched."""
    require(by, contract.pk, Capability.MANAGE_ONCALL)
    existing = DutyPlan.objects.filter(contract=contract, first_day=period.first_day).first()
    if existing is not None:
        return existing
    schedules = list(Schedule.objects.filter(contract=contract))
    with transaction.atomic():
        plan = DutyPlan.objects.create(
            contract=contract, name=f"{period.first_day.year}年{period.name}值守", first_day=period.first_day,
            last_day=period.last_day,
        )
        for day in period.days:
            entry = DutyDay.objects.create(plan=plan, date=day, mode=DutyDay.Mode.REMOTE)
            nine = dt.datetime.combine(day, dt.time(9), tzinfo=clock.SHANGHAI)
            people = {u.pk: u for s in schedules for u in on_call_at(s, nine)}
            entry.people.set(people.values())
        audit.record("oncall.duty_plan.generated", obj=plan, actor=by, contract=contract,
                     after={"first_day": str(period.first_day), "last_day": str(period.last_day)})
    return plan


def _editable(plan: DutyPlan, by) -> None:
    require(by, plan.contract_id, Capability.MANAGE_ONCALL)


def edit_day(day: DutyDay, *, mode: str, people, note: str = "", by) -> DutyDay:
    """Change one day of a plan. A plan changed after it was sent or confirmed goes back
    to draft: the bureau confirms what it was shown, nothing else."""
    plan = day.plan
    _editable(plan, by)
    if mode not in DutyDay.Mode.values:
        raise ValidationError({"mode": _("值守方式无效。")})
    people = list(people)
    may = rosterable(plan.contract_id, [u.pk for u in people])
    if any(not may(u.pk, day.date) for u in people):
        raise ValidationError({"people": _("所选人员不能排入值守（须为本合同的工程师或项目经理）。")})
    with transaction.atomic():
        before = {"mode": day.mode, "people": sorted(day.people.values_list("pk", flat=True)), "status": plan.status}
        day.mode, day.note = mode, (note or "")[:300]
        day.save()
        day.people.set(people)
        if plan.status != DutyPlan.Status.DRAFT:
            plan.status = DutyPlan.Status.DRAFT
            plan.confirmed_at, plan.confirmed_by, plan.confirmation_note = None, None, ""
            plan.save()
        audit.record("oncall.duty_plan.edited", obj=plan, actor=by, contract=plan.contract, before=before,
                     after={"date": str(day.date), "mode": mode, "people": sorted(u.pk for u in people)})
    return day


def liaisons(contract_id: int):
    return list(get_user_model().objects.filter(
        is_active=True, memberships__contract_id=contract_id, memberships__active=True,
        memberships__role=ContractRole.BUREAU_LIAISON,
    ).distinct())


def send_plan(plan: DutyPlan, *, by) -> DutyPlan:
    _editable(plan, by)
    if plan.status == DutyPlan.Status.CONFIRMED:
        raise ValidationError({"status": _("甲方已确认该计划。")})
    empty = [d.date for d in plan.days.all() if not d.people.exists()]
    if empty:
        raise ValidationError({"people": _("以下日期尚无值守人员：%(days)s") % {
            "days": "、".join(str(d) for d in empty)}})
    with transaction.atomic():
        plan.status, plan.sent_at = DutyPlan.Status.SENT, clock.now()
        plan.save()
        audit.record("oncall.duty_plan.sent", obj=plan, actor=by, contract=plan.contract)
        notify(
            liaisons(plan.contract_id), subject=_("请确认节假日值守计划：%(name)s") % {"name": plan.name},
            body=_("%(first)s 至 %(last)s 的值守安排已报送，请在系统中确认。") % {
                "first": plan.first_day, "last": plan.last_day},
            contract=plan.contract, link=f"/oncall/holidays/{plan.pk}/", kind="oncall.duty_plan",
            dedup_key=f"oncall-duty-plan-sent:{plan.pk}:{plan.sent_at.isoformat()}",
        )
    return plan


def confirm_plan(plan: DutyPlan, *, by, note: str = "") -> DutyPlan:
    """The bureau liaison confirms the plan as sent (audited: the evidence of 四.2)."""
    require(by, plan.contract_id, Capability.CONFIRM_DUTY_PLAN)
    if by is None:
        raise PermissionDenied
    if plan.status != DutyPlan.Status.SENT:
        raise ValidationError({"status": _("只能确认已报送的计划。")})
    with transaction.atomic():
        plan.status, plan.confirmed_by, plan.confirmed_at = DutyPlan.Status.CONFIRMED, by, clock.now()
        plan.confirmation_note = (note or "")[:500]
        plan.save()
        audit.record(
            "oncall.duty_plan.confirmed", obj=plan, actor=by, contract=plan.contract,
            after={"days": [
                {"date": str(d.date), "mode": d.mode, "people": sorted(d.people.values_list("pk", flat=True))}
                for d in plan.days.all()
            ], "note": plan.confirmation_note},
        )
    return plan
