"""The visit calendar of a contract, the planning form and the visit page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.access import can, contract_for, requires
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.flash import report_errors
from weibao.core.params import BadParameter, bad_request, parse_date, parse_datetime, parse_id
from weibao.servicedesk.access import people, who_can_work
from weibao.servicedesk.models import Ticket
from weibao.visits import access, services
from weibao.visits.models import Visit


def _contract(request, capability: str = Capability.VIEW_TICKETS):
    return contract_for(request.user, getattr(request, "contract", None), capability)


def _week_start(request) -> dt.date:
    day = parse_date(request.GET.get("week"), "week") or clock.local_now().date()
    return day - dt.timedelta(days=day.weekday())


@requires(Capability.VIEW_TICKETS)
@login_required
def calendar(request):
    contract = _contract(request)
    monday = _week_start(request)
    begin = dt.datetime.combine(monday, dt.time(), tzinfo=clock.SHANGHAI)
    visits = Visit.objects.filter(
        contract=contract, planned_start__gte=begin, planned_start__lt=begin + dt.timedelta(days=7)
    ).select_related("engineer", "ticket")
    engineer = request.GET.get("engineer", "")
    if parse_id(engineer) is not None:
        visits = visits.filter(engineer_id=parse_id(engineer))
    days = defaultdict(list)
    for visit in visits:
        days[visit.planned_start.astimezone(clock.SHANGHAI).date()].append(visit)
    week = [(monday + dt.timedelta(days=i), days.get(monday + dt.timedelta(days=i), [])) for i in range(7)]
    return render(request, "visits/calendar.html", {
        "contract": contract, "week": week, "monday": monday,
        "previous": monday - dt.timedelta(days=7), "next": monday + dt.timedelta(days=7),
        "team": who_can_work(contract.pk), "engineer": engineer,
        "can_plan": can(request.user, contract.pk, Capability.PLAN_VISITS),
    })


@requires(Capability.PLAN_VISITS)
@login_required
def plan(request):
    contract = _contract(request, Capability.PLAN_VISITS)
    raw_ticket = request.GET.get("ticket") or request.POST.get("ticket")
    ticket_id = parse_id(raw_ticket)
    if raw_ticket and ticket_id is None:
        return bad_request(request, _("工单（ticket）应为工单编号。"))
    ticket = Ticket.objects.filter(contract=contract, pk=ticket_id).first() if ticket_id else None
    errors = {}
    if request.method == "POST":
        try:
            start = parse_datetime(request.POST.get("start"), "start")
            end = parse_datetime(request.POST.get("end"), "end")
        except BadParameter as error:
            errors["start" if error.field == "start" else "planned_end"] = (
                _("请填写有效的开始和结束时间。") + " " + error.message
            )
        if not errors and (start is None or end is None):
            errors["start"] = _("请填写有效的开始和结束时间。")
        if not errors:
            engineer_id = parse_id(request.POST.get("engineer"))
            engineer = people(contract.pk).filter(pk=engineer_id).first() if engineer_id else None
            try:
                visit = services.plan(
                    contract, engineer=engineer, start=start, end=end,
                    location=request.POST.get("location", ""), purpose=request.POST.get("purpose", ""),
                    by=request.user, ticket=ticket,
                )
            except ValidationError as error:
                errors = {f: " ".join(p) for f, p in error.message_dict.items()}
            else:
                messages.success(request, _("已安排现场服务。"))
                if visit.ticket_id and not services.arrival_is_timed(visit):
                    messages.info(request, _(
                        "工单 %(number)s 的服务级别策略没有到场时限：签到会记为工单的到场时间，但不计到场考核。"
                    ) % {"number": visit.ticket.number})
                return redirect("visits:detail", visit.pk)
    # The engineer offered first: the one chosen, else the ticket's own assignee.
    chosen = request.POST.get("engineer") or (str(ticket.assignee_id) if ticket and ticket.assignee_id else "")
    return render(request, "visits/plan.html", {
        "contract": contract, "ticket": ticket, "team": who_can_work(contract.pk), "errors": errors,
        "values": request.POST, "chosen": chosen,
        "purpose": request.POST.get("purpose") or (ticket.subject if ticket else ""),
    })


@requires(Capability.VIEW_TICKETS)
@login_required
def detail(request, pk):
    visit = access.visit_for(request.user, pk)
    signing = access.signing_role(visit, request.user)
    first, last = services.visit_days(visit)
    return render(request, "visits/detail.html", {
        "visit": visit,
        "off_day": not first <= clock.local_now().date() <= last,
        "planned_day": first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}",
        "may_sign_off_day": access.may_sign_outside_the_day(request.user, visit.contract_id),
        "can_work": can(request.user, visit.contract_id, Capability.SIGN_VISITS),
        "can_cancel": can(request.user, visit.contract_id, Capability.PLAN_VISITS),
        "is_engineer": signing == "engineer",
        "is_manager": signing == "manager",
        "can_confirm": can(request.user, visit.contract_id, Capability.CONFIRM_VISITS),
        "confirms_as_bureau": access.confirms_as(visit, request.user) == Visit.ConfirmationKind.BUREAU,
    })


def _act(request, pk, capability: str, step) -> object:
    """Load the visit for ``capability`` (404/403), run the service, report in place."""
    visit = access.visit_for(request.user, pk, capability)
    try:
        step(visit)
        messages.success(request, _("已更新。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("visits:detail", pk)


@requires(Capability.SIGN_VISITS)
@login_required
@require_POST
def check_in(request, pk):
    return _act(request, pk, Capability.SIGN_VISITS, lambda visit: services.check_in(
        visit, by=request.user, reason=request.POST.get("reason", "")))


@requires(Capability.SIGN_VISITS)
@login_required
@require_POST
def check_out(request, pk):
    return _act(request, pk, Capability.SIGN_VISITS, lambda visit: services.check_out(
        visit, by=request.user, work_done=request.POST.get("work_done", ""),
        parts_used=request.POST.get("parts_used", ""), reason=request.POST.get("reason", "")))


@requires(Capability.CONFIRM_VISITS)
@login_required
@require_POST
def confirm(request, pk):
    return _act(request, pk, Capability.CONFIRM_VISITS, lambda visit: services.confirm(
        visit, by=request.user, name=request.POST.get("name", ""), note=request.POST.get("note", "")))


@requires(Capability.PLAN_VISITS)
@login_required
@require_POST
def cancel(request, pk):
    return _act(request, pk, Capability.PLAN_VISITS, lambda visit: services.cancel(visit, by=request.user))
