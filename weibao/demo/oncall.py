"""Demo 7×24 duty for the seed contract's 2026 (clauses 四.2, 五.2–五.3): the resident
engineer on site every working day and on call in working hours, the two on-call
engineers rotating weekly around the clock, a holiday duty plan for the next statutory
holiday, a handover waiting to be acknowledged and a swap waiting for the PM."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from weibao.accounts.models import User
from weibao.core import clock
from weibao.oncall import coverage, duty
from weibao.oncall.models import DutySettings, Handover, Layer, Override, Schedule
from weibao.servicedesk.models import Ticket

SCHEDULE = "7×24 技术支持值班"


@transaction.atomic
def load(contracts) -> None:
    seed = contracts["seed"]
    people = {u.username: u for u in User.objects.filter(username__in=["pm", "engineer", "oncall1", "oncall2"])}
    DutySettings.objects.get_or_create(contract=seed, defaults={"residency_minimum": 1})
    schedule, created = Schedule.objects.get_or_create(
        contract=seed, name=SCHEDULE, defaults={"description": "合同四.2、五.3：7×24 小时电话支持与抢修"}
    )
    if created:
        monday = dt.datetime(2026, 1, 5, 9, tzinfo=clock.SHANGHAI)
        Layer.objects.create(
            schedule=schedule, name="值班工程师周轮换", level=1, rotation=Layer.Rotation.WEEKLY, shift_days=7,
            starts_at=monday, participants=[people["oncall1"].pk, people["oncall2"].pk],
        )
        Layer.objects.create(
            schedule=schedule, name="工作日白天（驻场工程师）", level=2, rotation=Layer.Rotation.DAILY, shift_days=1,
            starts_at=dt.datetime(2026, 1, 5, 8, 30, tzinfo=clock.SHANGHAI), participants=[people["engineer"].pk],
            days=Layer.Days.WORKING, window_start=dt.time(8, 30), window_end=dt.time(17, 30),
        )
    # Within the contract's term: the people app keeps anyone uninsured off rosters.
    coverage.fill_residency(seed, max(dt.date(2026, 1, 1), seed.term_start), min(dt.date(2027, 1, 31), seed.term_end),
                            people["engineer"], by=None)

    today = clock.local_now().date()
    upcoming = duty.holiday_periods(seed.pk, today, today + dt.timedelta(days=200))
    if upcoming:
        plan = duty.generate_plan(seed, upcoming[0], by=None)
        first = plan.days.order_by("date").first()
        if first is not None and first.mode != "onsite":
            first.mode, first.note = "onsite", "节前首日现场值守（甲方要求）"
            first.save()

    now = clock.now()
    if not Handover.objects.filter(contract=seed).exists():
        handover = Handover.objects.create(
            contract=seed, outgoing=people["oncall1"], incoming=people["oncall2"], schedule=schedule,
            notes="电子证照接口超时仍在观察，已联系厂商；夜间如再报障请直接电话厂商值班。",
            created_at=now - dt.timedelta(hours=3),
        )
        handover.tickets.set(Ticket.objects.filter(contract=seed).order_by("pk")[:1])
    if not Override.objects.filter(contract=seed).exists():
        start = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(9), tzinfo=clock.SHANGHAI)
        Override.objects.create(
            contract=seed, schedule=schedule, kind=Override.Kind.SWAP, user=people["oncall2"],
            replaces=people["oncall1"], start=start, end=start + dt.timedelta(days=1),
            reason="家中有事，与孙浩换班一天", requested_by=people["oncall1"],
        )
