"""On-call schedules: who is on call (computed, never stored), and what the PM and the
engineers do to a schedule (layers, overrides and swaps, time off).

Other apps rely on ``on_call_at(schedule, at)`` and ``on_call_now(contract)`` (the
escalations app pages "the current on-call of a schedule" through them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.calendars.services import day_rules_for
from weibao.contracts.access import can, require
from weibao.contracts.roles import Capability, roles_with
from weibao.core import clock
from weibao.notifications.services import notify
from weibao.oncall import rota
from weibao.oncall.eligibility import rosterable
from weibao.oncall.models import Layer, Override, Schedule, TimeOff

#: How far back a stretch that is running now is traced to find since when it runs.
LOOK_BACK = dt.timedelta(days=35)
LOOK_AHEAD = dt.timedelta(days=35)
#: The longest window anyone may ask about (the gap report, a feed).
MAX_DAYS = 400


# --- reading a schedule into the pure maths -------------------------------------------

def _seconds(value: dt.time | None) -> int | None:
    return None if value is None else value.hour * 3600 + value.minute * 60 + value.second


def layer_spec(layer: Layer) -> rota.LayerSpec:
    window = None
    if layer.window_start is not None and layer.window_end is not None:
        window = (_seconds(layer.window_start), _seconds(layer.window_end))
    return rota.LayerSpec(
        level=layer.level,
        start=rota.to_ts(layer.starts_at),
        shift_seconds=layer.shift_days * rota.DAY,
        participants=tuple(int(p) for p in layer.participants),
        days=layer.days,
        window=window,
    )


@dataclass
class ScheduleInputs:
    """Everything the maths needs for one contract's schedules, read in four queries."""

    contract_id: int
    layers: dict[int, list[rota.LayerSpec]]
    overrides: dict[int, list[rota.OverrideSpec]]
    time_off: dict[int, list[tuple[int, int]]]
    is_working_day: object
    eligible: object
    # The instants read for, [lo, hi): overrides and time off outside them are not here.
    lo: dt.datetime | None = None
    hi: dt.datetime | None = None
    schedule_ids: frozenset[int] | None = None  # None: every schedule of the contract

    def covers(self, contract_id: int, lo: dt.datetime, hi: dt.datetime) -> bool:
        """Whether these inputs answer for every schedule of ``contract_id`` over [lo, hi)."""
        return (self.contract_id == contract_id and self.schedule_ids is None
                and self.lo is not None and self.lo <= lo and hi <= self.hi)


def load_inputs(contract_id: int, lo: dt.datetime, hi: dt.datetime, schedule_ids: Iterable[int] | None = None) -> ScheduleInputs:
    layers_q = Layer.objects.filter(schedule__contract_id=contract_id)
    overrides_q = Override.objects.filter(
        contract_id=contract_id, status=Override.Status.APPROVED, start__lt=hi, end__gt=lo
    )
    if schedule_ids is not None:
        ids = list(schedule_ids)
        layers_q = layers_q.filter(schedule_id__in=ids)
        overrides_q = overrides_q.filter(schedule_id__in=ids)
    layers: dict[int, list[rota.LayerSpec]] = defaultdict(list)
    people: set[int] = set()
    for layer in layers_q:
        spec = layer_spec(layer)
        layers[layer.schedule_id].append(spec)
        people.update(spec.participants)
    overrides: dict[int, list[rota.OverrideSpec]] = defaultdict(list)
    for o in overrides_q.values("schedule_id", "start", "end", "user_id", "replaces_id"):
        overrides[o["schedule_id"]].append(
            rota.OverrideSpec(rota.to_ts(o["start"]), rota.to_ts(o["end"]), o["user_id"], o["replaces_id"])
        )
        people.add(o["user_id"])
    time_off: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for t in TimeOff.objects.filter(contract_id=contract_id, start__lt=hi, end__gt=lo).values("user_id", "start", "end"):
        time_off[t["user_id"]].append((rota.to_ts(t["start"]), rota.to_ts(t["end"])))
    return ScheduleInputs(
        contract_id, layers, overrides, dict(time_off),
        day_rules_for(contract_id).is_working_day, rosterable(contract_id, people),
        lo=lo, hi=hi, schedule_ids=None if schedule_ids is None else frozenset(ids),
    )


def inputs_around(contract, at: dt.datetime, ahead: dt.timedelta = LOOK_AHEAD) -> ScheduleInputs:
    """One read for everything a page asks about the weeks around ``at``: who is on call
    now and next, and the gaps up to ``ahead`` (the PM's home page asks both)."""
    return load_inputs(contract.pk, at - LOOK_BACK, at + max(ahead, LOOK_AHEAD))


def segments(inputs: ScheduleInputs, schedule_id: int, lo: dt.datetime, hi: dt.datetime) -> list[rota.Segment]:
    return rota.resolve(
        inputs.layers.get(schedule_id, []), inputs.overrides.get(schedule_id, []), inputs.time_off,
        rota.to_ts(lo), rota.to_ts(hi), inputs.is_working_day, inputs.eligible,
    )


def _users(ids: Iterable[int]) -> dict[int, object]:
    return get_user_model().objects.in_bulk(list(set(ids)))


# --- the interfaces other apps use ------------------------------------------------------

def on_call_at(schedule: Schedule, at: dt.datetime) -> list:
    """Who is on call for ``schedule`` at the instant ``at``, after layers, overrides and
    time off (an empty list is a gap)."""
    lo = at.replace(microsecond=0)
    hi = lo + dt.timedelta(seconds=1)
    inputs = load_inputs(schedule.contract_id, lo, hi, [schedule.pk])
    found = rota.segment_at(segments(inputs, schedule.pk, lo, hi), rota.to_ts(lo))
    if found is None or not found.users:
        return []
    users = _users(found.users)
    return [users[pk] for pk in found.users if pk in users]


@dataclass
class Stretch:
    schedule: Schedule
    user: object
    since: dt.datetime
    until: dt.datetime


def _now_and_next(contract, at: dt.datetime, inputs: ScheduleInputs | None = None
                  ) -> list[tuple[Schedule, rota.Segment | None, rota.Segment | None]]:
    schedules = list(Schedule.objects.filter(contract=contract))
    lo, hi = at - LOOK_BACK, at + LOOK_AHEAD
    if inputs is None or not inputs.covers(contract.pk, lo, hi):
        inputs = load_inputs(contract.pk, lo, hi)
    ts = rota.to_ts(at)
    out = []
    for schedule in schedules:
        segs = segments(inputs, schedule.pk, lo, hi)
        current = rota.segment_at(segs, ts)
        following = None
        if current is not None:
            later = [s for s in segs if s.start >= current.end and s.users]
            following = later[0] if later else None
        out.append((schedule, current, following))
    return out


def on_call_now(contract, at: dt.datetime | None = None) -> list[tuple]:
    """``(schedule, user, since, until)`` for everyone on call now on the contract's
    schedules. ``since``/``until`` bound the unbroken stretch with the same people
    (within five weeks either way)."""
    at = at or clock.now()
    found = _now_and_next(contract, at)
    users = _users(pk for _, cur, _ in found if cur for pk in cur.users)
    return [
        (schedule, users[pk], rota.from_ts(cur.start), rota.from_ts(cur.end))
        for schedule, cur, _ in found if cur is not None
        for pk in cur.users if pk in users
    ]


def now_and_next(contract, at: dt.datetime | None = None, inputs: ScheduleInputs | None = None) -> list[dict]:
    """Per schedule: who is on call now (since/until) and who comes next, for the home
    page, the hotline screen and the overview."""
    at = at or clock.now()
    found = _now_and_next(contract, at, inputs)
    ids = {pk for _, cur, nxt in found for seg in (cur, nxt) if seg for pk in seg.users}
    users = _users(ids)
    rows = []
    for schedule, cur, nxt in found:
        rows.append({
            "schedule": schedule,
            "now": [users[pk] for pk in cur.users if pk in users] if cur else [],
            "since": rota.from_ts(cur.start) if cur else None,
            "until": rota.from_ts(cur.end) if cur else None,
            "next": [users[pk] for pk in nxt.users if pk in users] if nxt else [],
            "next_at": rota.from_ts(nxt.start) if nxt else None,
        })
    return rows


def shifts(contract, lo: dt.datetime, hi: dt.datetime, schedules=None) -> dict[int, list[dict]]:
    """Per schedule id, the stretches of [lo, hi) with who is on call (the week and month
    views and the calendar feeds)."""
    schedules = list(schedules if schedules is not None else Schedule.objects.filter(contract=contract))
    inputs = load_inputs(contract.pk, lo, hi, [s.pk for s in schedules])
    raw = {s.pk: segments(inputs, s.pk, lo, hi) for s in schedules}
    users = _users(pk for segs in raw.values() for seg in segs for pk in seg.users)
    return {
        sid: [
            {"start": rota.from_ts(seg.start), "end": rota.from_ts(seg.end),
             "users": [users[pk] for pk in seg.users if pk in users]}
            for seg in segs
        ]
        for sid, segs in raw.items()
    }


# --- what people do to a schedule -----------------------------------------------------

def _check_people(contract_id: int, user_ids: Iterable[int], field: str) -> None:
    ids = list(user_ids)
    may = rosterable(contract_id, ids)
    today = clock.local_now().date()
    refused = [pk for pk in ids if not may(pk, today)]
    if refused:
        raise ValidationError({field: _("所选人员不能排入值班（须为本合同的工程师或项目经理）。")})


def _check_period(start: dt.datetime, end: dt.datetime) -> None:
    if start is None or end is None or end <= start:
        raise ValidationError({"end": _("结束时间应晚于开始时间。")})
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise ValidationError({"end": _("时间段过长（最多 %(days)s 天）。") % {"days": MAX_DAYS}})


def save_schedule(contract, *, name: str, description: str = "", by, schedule: Schedule | None = None) -> Schedule:
    require(by, contract.pk, Capability.MANAGE_ONCALL)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if len(name) > Schedule._meta.get_field("name").max_length:
        raise ValidationError({"name": _("最多 %(n)s 个字符。") % {"n": Schedule._meta.get_field("name").max_length}})
    clash = Schedule.objects.filter(contract=contract, name=name)
    if schedule is not None:
        clash = clash.exclude(pk=schedule.pk)
    if clash.exists():
        raise ValidationError({"name": _("该合同已有同名值班表。")})
    schedule = schedule or Schedule(contract=contract)
    schedule.name, schedule.description = name, (description or "").strip()[:300]
    schedule.save()
    audit.record("oncall.schedule.saved", obj=schedule, actor=by, contract=contract, after={"name": name})
    return schedule


def delete_schedule(schedule: Schedule, *, by) -> None:
    """Remove a schedule with its layers and overrides (its minutes become gaps at once;
    handovers keep their text, without the link)."""
    require(by, schedule.contract_id, Capability.MANAGE_ONCALL)
    audit.record("oncall.schedule.deleted", obj=schedule, actor=by, contract=schedule.contract,
                 before={"name": schedule.name, "layers": schedule.layers.count()})
    schedule.delete()


ROTATION_DAYS = {Layer.Rotation.DAILY: 1, Layer.Rotation.WEEKLY: 7}


def save_layer(schedule: Schedule, *, by, layer: Layer | None = None, **fields) -> Layer:
    """Add or change a rotation layer. ``fields``: name, level, rotation, shift_days (for a
    custom rotation), starts_at, participants (ordered user ids), days, window_start,
    window_end."""
    require(by, schedule.contract_id, Capability.MANAGE_ONCALL)
    layer = layer or Layer(schedule=schedule)
    # Who may be rostered is checked for people put on the layer, not again for those
    # already on it when another field is corrected (a lapsed insurance there is the
    # compliance page's matter, not a reason to refuse a new name).
    before = list(layer.participants) if layer.pk else None
    for key, value in fields.items():
        setattr(layer, key, value)
    layer.name = (layer.name or "").strip() or _("轮值")
    if len(layer.name) > Layer._meta.get_field("name").max_length:
        raise ValidationError({"name": _("最多 %(n)s 个字符。") % {"n": Layer._meta.get_field("name").max_length}})
    if layer.rotation in ROTATION_DAYS:
        layer.shift_days = ROTATION_DAYS[layer.rotation]
    if not layer.shift_days or not 1 <= layer.shift_days <= 366:
        raise ValidationError({"shift_days": _("每班天数应在 1 到 366 之间。")})
    if layer.starts_at is None:
        raise ValidationError({"starts_at": _("请填写开始（交接）时间。")})
    if not layer.participants:
        raise ValidationError({"participants": _("请至少选择一名参与人员。")})
    if (layer.window_start is None) != (layer.window_end is None) or (
        layer.window_start is not None and layer.window_start == layer.window_end
    ):
        raise ValidationError({"window_end": _("时段须同时填写开始和结束，且二者不同。")})
    if before is None or [int(p) for p in layer.participants] != [int(p) for p in before]:
        _check_people(schedule.contract_id, layer.participants, "participants")
    layer.save()
    audit.record(
        "oncall.layer.saved", obj=layer, actor=by, contract=schedule.contract,
        after={"schedule": schedule.pk, "participants": layer.participants, "days": layer.days,
               "rotation": layer.rotation, "shift_days": layer.shift_days},
    )
    return layer


def delete_layer(layer: Layer, *, by) -> None:
    schedule = layer.schedule
    require(by, schedule.contract_id, Capability.MANAGE_ONCALL)
    audit.record("oncall.layer.deleted", obj=layer, actor=by, contract=schedule.contract,
                 before={"name": layer.name, "participants": layer.participants})
    layer.delete()


def request_override(
    schedule: Schedule, *, user, start: dt.datetime, end: dt.datetime, by, kind: str = Override.Kind.OVERRIDE,
    replaces=None, reason: str = "",
) -> Override:
    """An engineer asks to take (代班) or give away (换班) a stretch of duty; the PM
    decides. A PM's own request is approved at once (they would approve it anyway)."""
    require(by, schedule.contract_id, Capability.REQUEST_OVERRIDE)
    _check_period(start, end)
    _check_people(schedule.contract_id, [user.pk], "user")
    if kind == Override.Kind.SWAP and replaces is None:
        raise ValidationError({"replaces": _("换班须指明被替换的人员。")})
    manager = can(by, schedule.contract_id, Capability.MANAGE_ONCALL)
    if not manager and by.pk not in (user.pk, getattr(replaces, "pk", None)):
        raise PermissionDenied(_("只能为自己申请代班或换班。"))
    override = Override.objects.create(
        contract_id=schedule.contract_id, schedule=schedule, kind=kind, user=user, replaces=replaces,
        start=start, end=end, reason=(reason or "")[:300], requested_by=by,
    )
    audit.record("oncall.override.requested", obj=override, actor=by, contract=schedule.contract,
                 after={"user": user.pk, "replaces": getattr(replaces, "pk", None),
                        "start": start.isoformat(), "end": end.isoformat()})
    if manager:
        decide_override(override, approve=True, by=by)
    else:
        notify(
            managers(schedule.contract_id), subject=_("代班/换班待审批：%(name)s") % {"name": schedule.name},
            body=_("%(who)s 申请 %(start)s 至 %(end)s 的代班/换班。") % {
                "who": by, "start": _local(start), "end": _local(end)},
            contract=schedule.contract, link="/oncall/overrides/", kind="oncall.override",
            dedup_key=f"oncall-override:{override.pk}",
        )
    return override


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def managers(contract_id: int):
    return list(get_user_model().objects.filter(
        is_active=True, memberships__contract_id=contract_id, memberships__active=True,
        memberships__role__in=roles_with(Capability.MANAGE_ONCALL),
    ).distinct())


def decide_override(override: Override, *, approve: bool, by) -> Override:
    require(by, override.contract_id, Capability.MANAGE_ONCALL)
    if override.status != Override.Status.REQUESTED:
        raise ValidationError({"status": _("该申请已处理。")})
    if approve:
        _check_people(override.contract_id, [override.user_id], "user")
    with transaction.atomic():
        override.status = Override.Status.APPROVED if approve else Override.Status.REJECTED
        override.decided_by, override.decided_at = by, clock.now()
        override.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("oncall.override.decided", obj=override, actor=by, contract=override.schedule.contract,
                     after={"status": override.status})
        if override.requested_by_id and override.requested_by_id != getattr(by, "pk", None):
            notify(
                override.requested_by,
                subject=(_("代班/换班已批准：%(name)s") if approve else _("代班/换班被驳回：%(name)s")) % {
                    "name": override.schedule.name},
                body=f"{_local(override.start)} – {_local(override.end)}", contract=override.schedule.contract,
                link="/oncall/overrides/", kind="oncall.override",
                dedup_key=f"oncall-override-decided:{override.pk}",
            )
    return override


def add_time_off(contract, *, user, start: dt.datetime, end: dt.datetime, reason: str = "", by) -> TimeOff:
    """Record a person's leave: the PM for anyone, an engineer for themself."""
    if by is not None and by.pk != user.pk:
        require(by, contract.pk, Capability.MANAGE_ONCALL)
    else:
        require(by, contract.pk, Capability.REQUEST_OVERRIDE)
    _check_period(start, end)
    entry = TimeOff.objects.create(contract=contract, user=user, start=start, end=end, reason=(reason or "")[:300])
    audit.record("oncall.time_off.saved", obj=entry, actor=by, contract=contract,
                 after={"user": user.pk, "start": start.isoformat(), "end": end.isoformat()})
    return entry


def delete_time_off(entry: TimeOff, *, by) -> None:
    if by is not None and by.pk != entry.user_id:
        require(by, entry.contract_id, Capability.MANAGE_ONCALL)
    else:
        require(by, entry.contract_id, Capability.REQUEST_OVERRIDE)
    audit.record("oncall.time_off.deleted", obj=entry, actor=by, contract=entry.contract,
                 before={"user": entry.user_id, "start": entry.start.isoformat()})
    entry.delete()
