"""The on-call pages: overview (now and next, week and month views), schedules and their
layers, overrides and time off, the residency roster, holiday duty plans, handovers,
calendar feeds. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.calendars.services import day_rules_for
from weibao.contracts.access import can, contract_for, requires
from weibao.contracts.roles import Capability, roles_with
from weibao.core import clock
from weibao.core.declarations import public
from weibao.core.flash import report_errors
from weibao.core.params import (
    BadParameter,
    page_of,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_id,
    parse_text,
)
from weibao.oncall import access, coverage, duty, feeds, handovers, services
from weibao.oncall.eligibility import duty_people
from weibao.oncall.models import (
    CalendarFeed,
    DutyDay,
    DutyPlan,
    Handover,
    Layer,
    Override,
    Schedule,
)
from weibao.oncall.params import layer_fields, override_fields


def _contract(request, capability: str = Capability.VIEW_ONCALL):
    return contract_for(request.user, getattr(request, "contract", None), capability)


def _person(contract, raw, field: str, required: bool = True):
    """A duty person of the contract named by an id in the form (400 naming the field)."""
    if not required and not (raw or "").strip():
        return None
    return access.duty_person(contract.pk, parse_id(raw), field)


def _required(value, field: str, message: str):
    if value is None:
        raise BadParameter(field, message)
    return value


def _do(request, step, success: str) -> bool:
    try:
        step()
    except ValidationError as error:
        report_errors(request, error)
        return False
    messages.success(request, success)
    return True


# --- overview -------------------------------------------------------------------------------

@requires(Capability.VIEW_ONCALL)
@login_required
def overview(request):
    """Who is on call now and next, and a week (or month) of the schedules."""
    contract = _contract(request)
    view = parse_choice(request.GET.get("view"), "view", ["week", "month"]) or "week"
    start = parse_date(request.GET.get("start"), "start") or clock.local_now().date()
    if view == "month":
        first = start.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        previous, following = (first - dt.timedelta(days=1)).replace(day=1), last + dt.timedelta(days=1)
    else:
        first = start - dt.timedelta(days=start.weekday())
        last = first + dt.timedelta(days=6)
        previous, following = first - dt.timedelta(days=7), first + dt.timedelta(days=7)
    lo = dt.datetime.combine(first, dt.time(), tzinfo=clock.SHANGHAI)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    schedules = list(Schedule.objects.filter(contract=contract))
    stretches = services.shifts(contract, lo, hi, schedules)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    grid = []
    for schedule in schedules:
        per_day = []
        for day in days:
            d_lo = dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
            d_hi = d_lo + dt.timedelta(days=1)
            per_day.append((day, [
                {"start": max(s["start"], d_lo), "end": min(s["end"], d_hi), "users": s["users"]}
                for s in stretches[schedule.pk] if s["start"] < d_hi and s["end"] > d_lo
            ]))
        grid.append((schedule, per_day))
    return render(request, "oncall/overview.html", {
        "contract": contract, "now_rows": services.now_and_next(contract), "grid": grid, "view": view,
        "show_phones": can(request.user, contract.pk, Capability.REVEAL_PERSONAL_DATA),
        "first": first, "last": last, "previous": previous, "following": following,
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_ONCALL),
        "can_request": can(request.user, contract.pk, Capability.REQUEST_OVERRIDE),
    })


# --- schedules and layers -----------------------------------------------------------------

@requires(Capability.MANAGE_ONCALL)
@login_required
def schedule_new(request):
    contract = _contract(request, Capability.MANAGE_ONCALL)
    if request.method == "POST":
        try:
            schedule = services.save_schedule(
                contract, name=parse_text(request.POST.get("name"), "name", 100), description=parse_text(request.POST.get("description"), "description", 300),
                by=request.user,
            )
        except ValidationError as error:
            report_errors(request, error)
        else:
            messages.success(request, _("已创建值班表，请添加轮值层。"))
            return redirect("oncall:schedule", schedule.pk)
    return render(request, "oncall/schedule_new.html", {"contract": contract, "values": request.POST})


@requires(Capability.VIEW_ONCALL)
@login_required
def schedule_detail(request, pk):
    schedule = access.schedule_for(request.user, pk)
    contract = schedule.contract
    now = clock.now()
    gaps = [g for g in coverage.uncovered(contract, now, now + dt.timedelta(days=coverage.DEFAULT_DAYS))
            if g["schedule"] == schedule] if can(request.user, contract.pk, Capability.VIEW_COVERAGE) else None
    layers = list(schedule.layers.all())
    people = {u.pk: u for u in duty_people(contract.pk)}
    return render(request, "oncall/schedule_detail.html", {
        "schedule": schedule, "contract": contract,
        "layers": [(layer, [people.get(int(p), p) for p in layer.participants]) for layer in layers],
        "overrides": Override.objects.filter(schedule=schedule, end__gt=now).select_related("user", "replaces"),
        "gaps": gaps, "team": list(people.values()),
        "rotations": Layer.Rotation.choices, "day_sets": Layer.Days.choices,
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_ONCALL),
        "today": clock.local_now().date(), "slots": _slots([]),
    })


SLOTS = 8


def _slots(chosen: list) -> list[tuple[int, int | None]]:
    """The ordered participant selects: (position, the user id chosen there or None)."""
    ids = [int(pk) for pk in chosen]
    return [(n, ids[n - 1] if n <= len(ids) else None) for n in range(1, max(SLOTS, len(ids)) + 1)]


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def schedule_edit(request, pk):
    schedule = access.schedule_for(request.user, pk, Capability.MANAGE_ONCALL)
    if request.POST.get("delete") == "1":
        services.delete_schedule(schedule, by=request.user)
        messages.success(request, _("已删除值班表。"))
        return redirect("oncall:overview")
    _do(request, lambda: services.save_schedule(
        schedule.contract, name=parse_text(request.POST.get("name"), "name", 100), description=parse_text(request.POST.get("description"), "description", 300),
        by=request.user, schedule=schedule,
    ), _("已保存。"))
    return redirect("oncall:schedule", schedule.pk)


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def layer_new(request, pk):
    schedule = access.schedule_for(request.user, pk, Capability.MANAGE_ONCALL)
    fields = layer_fields({**request.POST.dict(), "participants": request.POST.getlist("participants")})
    _do(request, lambda: services.save_layer(schedule, by=request.user, **fields), _("已添加轮值层。"))
    return redirect("oncall:schedule", schedule.pk)


@requires(Capability.MANAGE_ONCALL)
@login_required
def layer_edit(request, pk):
    """A layer corrected in place: the add form, filled in (who is on call follows at once)."""
    layer = access.layer_for(request.user, pk)
    schedule = layer.schedule
    if request.method == "POST":
        fields = layer_fields({**request.POST.dict(), "participants": request.POST.getlist("participants")})
        if _do(request, lambda: services.save_layer(schedule, by=request.user, layer=layer, **fields),
               _("已保存轮值层。")):
            return redirect("oncall:schedule", schedule.pk)
        # Refused: the form shows what was sent (save_layer set it on the layer), not the old values.
    team = list(duty_people(schedule.contract_id))
    return render(request, "oncall/layer_edit.html", {
        "schedule": schedule, "contract": schedule.contract, "layer": layer,
        "team": team, "former": access.former_participants(layer, team), "rotations": Layer.Rotation.choices,
        "day_sets": Layer.Days.choices, "slots": _slots(layer.participants),
    })


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def layer_delete(request, pk):
    layer = access.layer_for(request.user, pk)
    schedule_id = layer.schedule_id
    services.delete_layer(layer, by=request.user)
    messages.success(request, _("已删除轮值层。"))
    return redirect("oncall:schedule", schedule_id)


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def import_ics(request, pk):
    schedule = access.schedule_for(request.user, pk, Capability.MANAGE_ONCALL)
    upload = request.FILES.get("file")
    if upload is None:
        raise BadParameter("file", _("请选择 .ics 文件。"))
    if upload.size > feeds.MAX_IMPORT_BYTES:
        raise BadParameter("file", _("请选择不超过 1 MB 的 .ics 文件。"))
    try:
        result = feeds.import_overrides(schedule, upload.read(), by=request.user)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("已导入 %(created)s 条代班，跳过已导入的 %(skipped)s 条。") % result)
    return redirect("oncall:schedule", schedule.pk)


# --- overrides, swaps, time off -------------------------------------------------------

@requires(Capability.REQUEST_OVERRIDE)
@login_required
def overrides(request):
    contract = _contract(request, Capability.REQUEST_OVERRIDE)
    manager = can(request.user, contract.pk, Capability.MANAGE_ONCALL)
    rows, time_off = access.visible_requests(request.user, contract)
    rows = rows.select_related("schedule", "user", "replaces", "requested_by")
    time_off = time_off.filter(end__gt=clock.now()).select_related("user")
    return render(request, "oncall/overrides.html", {
        "contract": contract, "page": page_of(request, rows.order_by("status", "-start"), 30),
        "time_off": time_off, "schedules": Schedule.objects.filter(contract=contract),
        "team": duty_people(contract.pk), "kinds": Override.Kind.choices, "can_manage": manager,
    })


@requires(Capability.REQUEST_OVERRIDE)
@login_required
@require_POST
def override_new(request):
    contract = _contract(request, Capability.REQUEST_OVERRIDE)
    fields = override_fields(request.POST)
    _do(request, lambda: services.request_override(**access.override_arguments(contract, fields, request.user)),
        _("已提交。"))
    return redirect("oncall:overrides")


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def override_decide(request, pk):
    override = access.override_for(request.user, pk)
    decision = parse_choice(request.POST.get("decision"), "decision", ["approve", "reject"])
    if decision is None:
        raise BadParameter("decision", _("请选择批准或驳回。"))
    _do(request, lambda: services.decide_override(override, approve=decision == "approve", by=request.user),
        _("已处理。"))
    return redirect("oncall:overrides")


@requires(Capability.REQUEST_OVERRIDE)
@login_required
@require_POST
def time_off_new(request):
    contract = _contract(request, Capability.REQUEST_OVERRIDE)
    user = _person(contract, request.POST.get("user"), "user", required=False) or request.user
    start = _required(parse_datetime(request.POST.get("start"), "start"), "start", _("请填写开始时间。"))
    end = _required(parse_datetime(request.POST.get("end"), "end"), "end", _("请填写结束时间。"))
    _do(request, lambda: services.add_time_off(
        contract, user=user, start=start, end=end, reason=parse_text(request.POST.get("reason"), "reason", 300), by=request.user,
    ), _("已登记请假。"))
    return redirect("oncall:overrides")


@requires(Capability.REQUEST_OVERRIDE)
@login_required
@require_POST
def time_off_delete(request, pk):
    entry = access.time_off_for(request.user, pk)
    if entry.user_id != request.user.pk and not can(request.user, entry.contract_id, Capability.MANAGE_ONCALL):
        raise Http404  # someone else's leave: not yours to see or change
    services.delete_time_off(entry, by=request.user)
    messages.success(request, _("已删除请假记录。"))
    return redirect("oncall:overrides")


# --- residency ------------------------------------------------------------------------------

@requires(Capability.VIEW_ONCALL)
@login_required
def residency(request):
    contract = _contract(request)
    month = parse_date(request.GET.get("month"), "month") or clock.local_now().date()
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return render(request, "oncall/residency.html", {
        "contract": contract, "days": coverage.residency_days(contract, first, last), "first": first,
        "previous": (first - dt.timedelta(days=1)).replace(day=1), "following": last + dt.timedelta(days=1),
        "minimum": coverage.residency_minimum(contract.pk), "team": duty_people(contract.pk),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_ONCALL), "last": last,
    })


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def residency_day(request):
    contract = _contract(request, Capability.MANAGE_ONCALL)
    day = _required(parse_date(request.POST.get("date"), "date"), "date", _("请填写日期。"))
    users = [_person(contract, raw, "users") for raw in request.POST.getlist("users")]
    _do(request, lambda: coverage.set_residency(contract, day, users, by=request.user), _("已保存驻场排班。"))
    return redirect(reverse("oncall:residency") + f"?month={day.replace(day=1).isoformat()}")


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def residency_fill(request):
    contract = _contract(request, Capability.MANAGE_ONCALL)
    first = _required(parse_date(request.POST.get("first"), "first"), "first", _("请填写开始日期。"))
    last = _required(parse_date(request.POST.get("last"), "last"), "last", _("请填写结束日期。"))
    user = _person(contract, request.POST.get("user"), "user")
    result = {}

    def step():
        result["n"] = coverage.fill_residency(contract, first, last, user, by=request.user)

    if _do(request, step, _("已排入驻场。")):
        messages.info(request, _("新增 %(n)s 个工作日。") % result)
    return redirect(reverse("oncall:residency") + f"?month={first.replace(day=1).isoformat()}")


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def residency_minimum(request):
    contract = _contract(request, Capability.MANAGE_ONCALL)
    raw = request.POST.get("residency_minimum", "")
    value = parse_id(raw) if raw.strip() not in ("0",) else 0
    value = _required(value, "residency_minimum", _("最少驻场人数应为整数。"))
    _do(request, lambda: coverage.set_residency_minimum(contract, value, by=request.user), _("已保存。"))
    return redirect("oncall:residency")


# --- holiday duty plans ---------------------------------------------------------------

@requires(Capability.VIEW_ONCALL)
@login_required
def holidays(request):
    contract = _contract(request)
    today = clock.local_now().date()
    plans = list(DutyPlan.objects.filter(contract=contract))
    planned = {p.first_day for p in plans}
    upcoming = [p for p in duty.holiday_periods(contract.pk, today, today + dt.timedelta(days=400))
                if p.first_day not in planned]
    return render(request, "oncall/holidays.html", {
        "contract": contract, "plans": plans, "upcoming": upcoming,
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_ONCALL),
    })


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def holiday_generate(request):
    contract = _contract(request, Capability.MANAGE_ONCALL)
    first = _required(parse_date(request.POST.get("first_day"), "first_day"), "first_day", _("请选择节假日。"))
    period = next((p for p in duty.holiday_periods(contract.pk, first, first) if p.first_day == first), None)
    if period is None:
        raise BadParameter("first_day", _("该日期不是法定节假日的首日。"))
    plan = duty.generate_plan(contract, period, by=request.user)
    messages.success(request, _("已生成值守计划，请核对每天的方式和人员。"))
    return redirect("oncall:holiday", plan.pk)


@requires(Capability.VIEW_ONCALL)
@login_required
def holiday_detail(request, pk):
    plan = access.plan_for(request.user, pk)
    return render(request, "oncall/holiday_detail.html", {
        "plan": plan, "contract": plan.contract, "days": plan.days.prefetch_related("people"),
        "modes": DutyDay.Mode.choices, "team": duty_people(plan.contract_id),
        "can_manage": can(request.user, plan.contract_id, Capability.MANAGE_ONCALL),
        "can_confirm": can(request.user, plan.contract_id, Capability.CONFIRM_DUTY_PLAN)
        and plan.status == DutyPlan.Status.SENT,
        # A year with no official arrangement loaded: the period is the statutory days only.
        "provisional": day_rules_for(plan.contract_id).uncovered_years(plan.first_day, plan.last_day),
    })


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def holiday_day(request, pk):
    day = access.duty_day_for(request.user, pk)
    contract = day.plan.contract
    people = [_person(contract, raw, "people") for raw in request.POST.getlist("people")]
    mode = parse_choice(request.POST.get("mode"), "mode", DutyDay.Mode.values) or day.mode
    _do(request, lambda: duty.edit_day(day, mode=mode, people=people, note=parse_text(request.POST.get("note"), "note", 300),
                                       by=request.user), _("已保存。"))
    return redirect("oncall:holiday", day.plan_id)


@requires(Capability.MANAGE_ONCALL)
@login_required
@require_POST
def holiday_send(request, pk):
    plan = access.plan_for(request.user, pk, Capability.MANAGE_ONCALL)
    _do(request, lambda: duty.send_plan(plan, by=request.user), _("已报送甲方联络人确认。"))
    return redirect("oncall:holiday", plan.pk)


@requires(Capability.CONFIRM_DUTY_PLAN)
@login_required
@require_POST
def holiday_confirm(request, pk):
    plan = access.plan_for(request.user, pk, Capability.CONFIRM_DUTY_PLAN)
    _do(request, lambda: duty.confirm_plan(plan, by=request.user, note=parse_text(request.POST.get("note"), "note", 500)),
        _("已确认值守计划。"))
    return redirect("oncall:holiday", plan.pk)


# --- handovers ------------------------------------------------------------------------------

@requires(Capability.WRITE_HANDOVER)
@login_required
def handover_list(request):
    contract = _contract(request, Capability.WRITE_HANDOVER)
    if request.method == "POST":
        incoming_id = parse_id(request.POST.get("incoming"))
        incoming = get_user_model().objects.filter(pk=incoming_id).first() if incoming_id else None
        numbers = parse_text(request.POST.get("tickets"), "tickets", 2000).replace("，", ",").replace(" ", ",").split(",")
        schedule = Schedule.objects.filter(contract=contract, pk=parse_id(request.POST.get("schedule"))).first()
        if _do(request, lambda: handovers.write(
            contract, incoming=incoming, notes=parse_text(request.POST.get("notes"), "notes", 5000), ticket_numbers=numbers[:50],
            schedule=schedule, by=request.user,
        ), _("已提交交班记录，等待接班人确认。")):
            return redirect("oncall:handovers")
    rows = handovers.mine_first(contract, request.user)
    page = page_of(request, rows, 20)
    now = clock.now()
    return render(request, "oncall/handovers.html", {
        "contract": contract, "page": page, "values": request.POST,
        "flagged": {h.pk for h in page.object_list if handovers.is_flagged(h, now)},
        "team": get_user_model().objects.filter(
            is_active=True, memberships__contract=contract, memberships__active=True,
            memberships__role__in=roles_with(Capability.WRITE_HANDOVER),
        ).exclude(pk=request.user.pk).distinct().order_by("username"),
        "schedules": Schedule.objects.filter(contract=contract),
    })


@requires(Capability.WRITE_HANDOVER)
@login_required
@require_POST
def handover_acknowledge(request, pk):
    # Only the incoming person acknowledges: anyone else's handover is not found here.
    handover = get_object_or_404(
        Handover.objects.restrict(request.user, Capability.WRITE_HANDOVER), pk=pk, incoming=request.user
    )
    handovers.acknowledge(handover, by=request.user)
    messages.success(request, _("已确认接班。"))
    return redirect("oncall:handovers")


# --- calendar feeds ---------------------------------------------------------------------------

@requires(Capability.REQUEST_OVERRIDE)
@login_required
def feed_list(request):
    contract = _contract(request, Capability.REQUEST_OVERRIDE)
    manager = can(request.user, contract.pk, Capability.MANAGE_ONCALL)
    secret_url = None
    if request.method == "POST":
        schedule = None
        if request.POST.get("schedule"):
            schedule = Schedule.objects.filter(contract=contract, pk=parse_id(request.POST.get("schedule"))).first()
            if schedule is None:
                raise BadParameter("schedule", _("请选择值班表。"))
        result = {}

        def step():
            result["feed"], result["secret"] = feeds.create_feed(
                contract, by=request.user, schedule=schedule, user=None if schedule else request.user
            )

        if _do(request, step, _("已创建订阅地址。该地址只显示这一次，请立即复制。")):
            secret_url = request.build_absolute_uri(f"/oncall/ical/{result['secret']}.ics")
    rows = CalendarFeed.objects.filter(contract=contract, revoked_at__isnull=True).select_related("schedule", "user")
    if not manager:
        rows = rows.filter(user=request.user)
    return render(request, "oncall/feeds.html", {
        "contract": contract, "feeds": rows, "secret_url": secret_url, "can_manage": manager,
        "schedules": Schedule.objects.filter(contract=contract),
    })


@requires(Capability.REQUEST_OVERRIDE)
@login_required
@require_POST
def feed_revoke(request, pk):
    feed = access.feed_for(request.user, pk)
    if not feeds.may_revoke(feed, request.user):
        raise Http404  # another person's feed
    feeds.revoke_feed(feed, by=request.user)
    messages.success(request, _("已吊销订阅地址。"))
    return redirect("oncall:feeds")


@public("the secret in the address is the credential (a calendar app cannot log in); revocable")
def ical(request, secret):
    feed = feeds.feed_for_secret(secret)
    if feed is None:
        raise Http404
    response = HttpResponse(feeds.render(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="oncall.ics"'
    return response


# --- coverage ---------------------------------------------------------------------------------

@requires(Capability.VIEW_COVERAGE)
@login_required
def gaps(request):
    contract = _contract(request, Capability.VIEW_COVERAGE)
    report = coverage.gap_report(contract)
    return render(request, "oncall/gaps.html", {
        "contract": contract, "report": report, "days": coverage.DEFAULT_DAYS,
        "unacknowledged": handovers.unacknowledged(contract),
    })

