"""Coverage: every minute with nobody on call, every working day below the residency
minimum (clauses 五.2–五.3). Computed from the schedules and the roster each time it is
asked, never kept by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.calendars.services import day_rules_for
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.notifications.services import notify
from weibao.oncall import rota
from weibao.oncall.eligibility import rosterable
from weibao.oncall.models import DutySettings, ResidencyShift, Schedule, TimeOff
from weibao.oncall.services import MAX_DAYS, ScheduleInputs, load_inputs, managers, segments
from weibao.visits.models import Visit

DEFAULT_DAYS = 60


def residency_minimum(contract_id: int) -> int:
    found = DutySettings.objects.filter(contract_id=contract_id).values_list("residency_minimum", flat=True).first()
    return 1 if found is None else found


def uncovered(contract, lo: dt.datetime, hi: dt.datetime, inputs: ScheduleInputs | None = None) -> list[dict]:
    """Stretches of [lo, hi) with nobody on call, per schedule. A contract with no
    schedule at all is uncovered throughout (the promise is 7×24 whatever the rosters)."""
    schedules = list(Schedule.objects.filter(contract=contract))
    if not schedules:
        return [{"start": lo, "end": hi, "schedule": None}]
    if inputs is None or not inputs.covers(contract.pk, lo, hi):
        inputs = load_inputs(contract.pk, lo, hi)
    out = []
    for schedule in schedules:
        for start, end in rota.gaps(segments(inputs, schedule.pk, lo, hi)):
            out.append({"start": rota.from_ts(start), "end": rota.from_ts(end), "schedule": schedule})
    out.sort(key=lambda g: (g["start"], g["schedule"].name))
    return out


def residency_days(contract, first: dt.date, last: dt.date) -> list[dict]:
    """Each official working day of [first, last] (调休 workdays included): who is
    rostered on site, who checked in on a visit (presence evidence), and the minimum."""
    rules = day_rules_for(contract.pk)
    need = residency_minimum(contract.pk)
    rostered: dict[dt.date, list] = defaultdict(list)
    for shift in ResidencyShift.objects.filter(contract=contract, date__range=(first, last)).select_related("user"):
        rostered[shift.date].append(shift.user)
    lo = dt.datetime.combine(first, dt.time(), tzinfo=clock.SHANGHAI)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    present: dict[dt.date, dict] = defaultdict(dict)
    for visit in Visit.objects.filter(
        contract=contract, arrived_at__gte=lo, arrived_at__lt=hi, engineer__isnull=False
    ).select_related("engineer"):
        present[visit.arrived_at.astimezone(clock.SHANGHAI).date()][visit.engineer_id] = visit.engineer
    away: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for entry in TimeOff.objects.filter(contract=contract, start__lt=hi, end__gt=lo):
        away[entry.user_id].append((entry.start, entry.end))
    may = rosterable(contract.pk, {u.pk for users in rostered.values() for u in users})
    days = []
    day = first
    while day <= last:
        if rules.is_working_day(day):
            noon = dt.datetime.combine(day, dt.time(12), tzinfo=clock.SHANGHAI)
            on_site = [
                u for u in rostered.get(day, [])
                if may(u.pk, day) and not any(s <= noon < e for s, e in away.get(u.pk, []))
            ]
            counted = {u.pk for u in on_site} | set(present.get(day, {}))
            days.append({
                "date": day, "rostered": rostered.get(day, []), "on_site": on_site,
                "evidence": list(present.get(day, {}).values()), "have": len(counted), "need": need,
            })
        day += dt.timedelta(days=1)
    return days


def residency_short(contract, first: dt.date, last: dt.date) -> list[dict]:
    return [
        {"date": d["date"], "have": d["have"], "need": d["need"]}
        for d in residency_days(contract, first, last) if d["have"] < d["need"]
    ]


def gap_report(contract, days: int = DEFAULT_DAYS, at: dt.datetime | None = None,
               inputs: ScheduleInputs | None = None) -> dict:
    """The next ``days`` days from now: uncovered minutes and short working days."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("天数应在 1 到 %(max)s 之间。") % {"max": MAX_DAYS}})
    at = (at or clock.now()).replace(second=0, microsecond=0)
    hi = at + dt.timedelta(days=days)
    today = at.astimezone(clock.SHANGHAI).date()
    last = (hi - dt.timedelta(seconds=1)).astimezone(clock.SHANGHAI).date()
    return {
        "uncovered": uncovered(contract, at, hi, inputs),
        "residency_short": residency_short(contract, today, last),
    }


# --- the PM's actions on the residency roster ----------------------------------------------

def set_residency(contract, day: dt.date, users, *, by) -> list[ResidencyShift]:
    """Who is on site on ``day`` (replaces that day's roster)."""
    require(by, contract.pk, Capability.MANAGE_ONCALL)
    users = list(users)
    may = rosterable(contract.pk, [u.pk for u in users])
    if any(not may(u.pk, day) for u in users):
        raise ValidationError({"users": _("所选人员不能排入驻场（须为本合同的工程师或项目经理）。")})
    with transaction.atomic():
        before = sorted(ResidencyShift.objects.filter(contract=contract, date=day).values_list("user_id", flat=True))
        ResidencyShift.objects.filter(contract=contract, date=day).exclude(user__in=users).delete()
        shifts = [ResidencyShift.objects.get_or_create(contract=contract, date=day, user=u)[0] for u in users]
        audit.record("oncall.residency.saved", actor=by, contract=contract, object_type="oncall.residency",
                     object_id=day.isoformat(), before={"users": before},
                     after={"users": sorted(u.pk for u in users)})
    return shifts


def fill_residency(contract, first: dt.date, last: dt.date, user, *, by) -> int:
    """Roster ``user`` on site on every working day of [first, last]: how a PM builds a
    year's residency in one step. Returns how many days were added."""
    require(by, contract.pk, Capability.MANAGE_ONCALL)
    if last < first:
        raise ValidationError({"last": _("结束日期应不早于开始日期。")})
    if (last - first).days > 400:
        raise ValidationError({"last": _("一次最多排 400 天。")})
    rules = day_rules_for(contract.pk)
    may = rosterable(contract.pk, [user.pk])
    if not may(user.pk, first):
        raise ValidationError({"user": _("所选人员不能排入驻场（须为本合同的工程师或项目经理）。")})
    have = set(ResidencyShift.objects.filter(contract=contract, user=user, date__range=(first, last))
               .values_list("date", flat=True))
    new = []
    day = first
    while day <= last:
        if rules.is_working_day(day) and day not in have and may(user.pk, day):
            new.append(ResidencyShift(contract=contract, date=day, user=user))
        day += dt.timedelta(days=1)
    with transaction.atomic():
        ResidencyShift.objects.bulk_create(new, ignore_conflicts=True)
        audit.record("oncall.residency.saved", actor=by, contract=contract, object_type="oncall.residency",
                     object_id=f"{first.isoformat()}/{last.isoformat()}",
                     after={"user": user.pk, "days_added": len(new)})
    return len(new)


def set_residency_minimum(contract, minimum: int, *, by) -> DutySettings:
    require(by, contract.pk, Capability.MANAGE_ONCALL)
    if not 0 <= minimum <= 50:
        raise ValidationError({"residency_minimum": _("最少驻场人数应在 0 到 50 之间。")})
    settings, _created = DutySettings.objects.get_or_create(contract=contract)
    before = settings.residency_minimum
    settings.residency_minimum = minimum
    settings.save()
    audit.record("oncall.residency.saved", obj=settings, actor=by, contract=contract,
                 before={"minimum": before}, after={"minimum": minimum})
    return settings


# --- the warning to the PM --------------------------------------------------------------------

def fingerprint(report: dict, at: dt.datetime) -> str:
    """What the report says, stable while nothing changes: a gap running now is "now"
    (its start moves with the clock), a gap reaching the horizon is named by its start."""
    parts = [
        f"{g['schedule'].pk if g['schedule'] else '-'}@{'now' if g['start'] <= at else g['start'].isoformat()}"
        for g in report["uncovered"]
    ] + [r["date"].isoformat() for r in report["residency_short"]]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def warn_managers(contract, at: dt.datetime | None = None) -> int:
    """Tell the contract's PMs about the gaps of the next 60 days; the same gaps are told
    once (the notification's dedup key is the report's fingerprint). Returns how many
    notifications were stored."""
    at = (at or clock.now()).replace(second=0, microsecond=0)
    report = gap_report(contract, DEFAULT_DAYS, at)
    if not report["uncovered"] and not report["residency_short"]:
        return 0
    lines = [
        _("%(start)s 至 %(end)s 无人值班（%(schedule)s）") % {
            "start": g["start"].astimezone(clock.SHANGHAI).strftime("%m-%d %H:%M"),
            "end": g["end"].astimezone(clock.SHANGHAI).strftime("%m-%d %H:%M"),
            "schedule": g["schedule"].name if g["schedule"] else _("尚无值班表")}
        for g in report["uncovered"][:10]
    ] + [
        _("%(date)s 驻场 %(have)s 人，要求 %(need)s 人") % r for r in report["residency_short"][:10]
    ]
    sent = notify(
        managers(contract.pk),
        subject=_("值班覆盖缺口：%(n)s 段无人值班，%(m)s 个工作日驻场不足") % {
            "n": len(report["uncovered"]), "m": len(report["residency_short"])},
        body="\n".join(lines), contract=contract, link="/oncall/gaps/", kind="oncall.gap",
        dedup_key=f"oncall-gaps:{contract.pk}:{fingerprint(report, at)}",
    )
    return len(sent)
