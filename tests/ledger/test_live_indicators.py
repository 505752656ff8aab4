"""The obligations matrix reads residency, 7×24 coverage, staff compliance and training
from the on-call and people apps, instead of "暂无数据"."""

from __future__ import annotations

import datetime as dt

import pytest

from weibao.ledger.obligations import matrix

pytestmark = pytest.mark.django_db


def _row(contract, key):
    return next(r for r in matrix(contract, dt.date(2026, 11, 1), dt.date(2026, 11, 30)) if r["key"] == key)


def test_with_no_schedule_the_contract_is_uncovered_and_residency_short(contract, pm, clock):
    coverage = _row(contract, "oncall_coverage")
    assert coverage["status"] == "breached" and "空档" in str(coverage["indicator"])
    residency = _row(contract, "residency")
    assert residency["status"] == "breached"


def test_staff_and_training_say_when_no_register_is_kept(contract, pm, clock):
    assert _row(contract, "staff_insurance")["status"] == "no_data"
    assert _row(contract, "training")["status"] == "no_data"


# -- holiday duty, emergency plans, incident reporting, approvals, reports ---------------

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _row_for(contract, key, first, last):
    return next(r for r in matrix(contract, first, last) if r["key"] == key)


def _national_day_plan(contract, status, staffed=True, person=None):
    from weibao.oncall import duty
    from weibao.oncall.models import DutyDay, DutyPlan

    period = next(p for p in duty.holiday_periods(contract.pk, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
                  if dt.date(2026, 10, 1) in p.days)
    plan = DutyPlan.objects.create(contract=contract, name="2026年国庆节值守", first_day=period.first_day,
                                   last_day=period.last_day, status=status)
    for day in period.days:
        entry = DutyDay.objects.create(plan=plan, date=day)
        if staffed:
            entry.people.set([person])
    return plan


def test_holiday_duty_is_met_when_every_national_day_rest_day_has_confirmed_duty(contract, pm, clock):
    from weibao.oncall.models import DutyPlan

    _national_day_plan(contract, DutyPlan.Status.CONFIRMED, person=pm)
    row = _row_for(contract, "holiday_duty", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert row["status"] == "met" and "国庆" in row["indicator"]


def test_holiday_duty_is_breached_when_the_plan_was_never_confirmed(contract, pm, clock):
    from weibao.oncall.models import DutyPlan

    _national_day_plan(contract, DutyPlan.Status.SENT, person=pm)
    row = _row_for(contract, "holiday_duty", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert row["status"] == "breached" and "2026-10-01" in row["indicator"]


def test_holiday_duty_ahead_without_a_plan_is_a_risk_and_a_month_without_holidays_has_no_data(contract, pm, clock):
    assert _row_for(contract, "holiday_duty", dt.date(2027, 1, 1), dt.date(2027, 1, 31))["status"] == "at_risk"
    assert _row_for(contract, "holiday_duty", dt.date(2026, 11, 1), dt.date(2026, 11, 30))["status"] == "no_data"


def _plan(contract, title="门户不可用应急预案"):
    from weibao.incidents.models import EmergencyPlan

    return EmergencyPlan.objects.create(contract=contract, title=title, scenario="portal_down")


def test_emergency_plans_are_met_when_each_active_plan_was_drilled_this_year(contract, other_contract, pm, clock):
    from weibao.incidents.models import Drill

    plan = _plan(contract)
    Drill.objects.create(contract=contract, plan=plan, scheduled_at=_at(dt.date(2026, 6, 10)),
                         status=Drill.Status.DONE, ended_at=_at(dt.date(2026, 6, 10), 12))
    row = _row_for(contract, "emergency_plans", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "met"
    _plan(contract, "数据泄露应急预案")  # a second plan, never drilled
    row = _row_for(contract, "emergency_plans", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "at_risk" and "数据泄露应急预案" in row["indicator"]  # the contract's first year


def test_emergency_plans_are_breached_without_any_plan_or_with_only_a_cancelled_drill(contract, pm, clock):
    from weibao.incidents.models import Drill

    assert _row_for(contract, "emergency_plans", dt.date(2026, 11, 1), dt.date(2026, 11, 30))["status"] == "breached"
    plan = _plan(contract)
    Drill.objects.create(contract=contract, plan=plan, scheduled_at=_at(dt.date(2026, 6, 10)),
                         status=Drill.Status.CANCELLED)
    # A year on (the contract's second term year), the plan still never rehearsed.
    row = _row_for(contract, "emergency_plans", dt.date(2027, 3, 10), dt.date(2027, 3, 31))
    assert row["status"] == "breached"


def _incident(contract, opened, due, reported=None):
    from weibao.incidents.models import Incident, ReportingDuty

    incident = Incident.objects.create(contract=contract, title="统一身份认证中断", opened_at=opened)
    ReportingDuty.objects.create(incident=incident, recipient="bureau", due_at=due, reported_at=reported)
    return incident


def test_incident_handling_is_met_when_every_report_was_made_in_time(contract, clock):
    opened = _at(dt.date(2026, 11, 3))
    _incident(contract, opened, opened + dt.timedelta(hours=1), reported=opened + dt.timedelta(minutes=40))
    row = _row_for(contract, "incident_handling", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "met" and "按时报告 1 项" in row["indicator"]


def test_incident_handling_is_breached_by_a_late_or_a_missing_report(contract, other_contract, clock):
    opened = _at(dt.date(2026, 11, 3))
    _incident(contract, opened, opened + dt.timedelta(hours=1), reported=opened + dt.timedelta(hours=3))
    assert _row_for(contract, "incident_handling", dt.date(2026, 11, 1), dt.date(2026, 11, 30))["status"] == "breached"
    _incident(other_contract, opened, opened + dt.timedelta(hours=1))  # never reported
    row = _row_for(other_contract, "incident_handling", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "breached" and "超时未报 1 项" in row["indicator"]
    assert _row_for(contract, "incident_handling", dt.date(2026, 10, 1), dt.date(2026, 10, 31))["status"] == "no_data"


def _change(contract, by, number, kind="normal", started=None, **fields):
    from weibao.changes.models import ChangeRequest

    started = started or _at(dt.date(2026, 11, 10), 20)
    return ChangeRequest.objects.create(
        contract=contract, number=number, kind=kind, title="证书更换", reason="到期", implementation_plan="p",
        rollback_plan="b", planned_start=started, planned_end=started + dt.timedelta(hours=2), requested_by=by,
        status=ChangeRequest.Status.IMPLEMENTED, started_at=started, **fields)


def _approve(change, by, at, **fields):
    from weibao.changes.models import ChangeApproval

    ChangeApproval.objects.create(change=change, step="bureau", decision="approve", by=by, at=at, **fields)


def test_data_change_approval_is_met_when_the_bureau_approved_before_work_began(contract, pm, liaison, clock):
    change = _change(contract, pm, "BG-1")
    _approve(change, liaison, change.started_at - dt.timedelta(days=1))
    row = _row_for(contract, "data_change_approval", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "met"


def test_data_change_approval_is_breached_by_work_begun_before_approval(contract, pm, liaison, clock):
    change = _change(contract, pm, "BG-2")
    _approve(change, liaison, change.started_at + dt.timedelta(hours=1))  # approved after the fact
    row = _row_for(contract, "data_change_approval", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "breached" and "BG-2" in row["indicator"]


def test_data_change_approval_is_breached_by_data_work_without_a_data_use_approval(contract, pm, liaison, clock):
    change = _change(contract, pm, "BG-3", touches_data=True)
    _approve(change, liaison, change.started_at - dt.timedelta(days=1))
    row = _row_for(contract, "data_change_approval", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "breached" and "BG-3" in row["indicator"]


def test_an_emergency_change_awaiting_retroactive_approval_in_time_is_a_risk(contract, pm, clock):
    started = clock.now() - dt.timedelta(hours=2)
    _change(contract, pm, "BG-4", kind="emergency", started=started, retro_due_at=started + dt.timedelta(hours=24))
    row = _row_for(contract, "data_change_approval", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "at_risk"


def test_reports_say_they_are_not_measured(contract, clock):
    row = _row_for(contract, "reports", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert row["status"] == "no_data" and "未计量" in row["indicator"]
