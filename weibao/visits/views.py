"""The visit calendar of a contract, the planning form and the visit page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.roles import BUREAU_ROLES, VENDOR_ROLES, Capability, roles_with
from weibao.contracts.scoping import is_member
from weibao.contracts.services import has_capability, vendor_team
from weibao.core import clock
from weibao.core.flash import report_errors
from weibao.core.params import BadParameter, bad_request, parse_date, parse_datetime, parse_id
from weibao.servicedesk.models import Ticket
from weibao.visits import services
from weibao.visits.models import Visit


def _contract(request):
    contract = getattr(request, "contract", None)
    if contract is None or not has_capability(request.user, contract, Capability.VIEW_TICKETS):
        raise PermissionDenied
    return contract


def _week_start(request) -> dt.date:
    day = parse_date(request.GET.get("week"), "week") or clock.local_now().date()
    return day - dt.timedelta(days=day.weekday())


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
        "team": vendor_team(contract), "engineer": engineer,
        "can_plan": is_member(request.user, contract.pk, roles=VENDOR_ROLES),
    })


@login_required
def plan(request):
    contract = _contract(request)
    if not is_member(request.user, contract.pk, roles=VENDOR_ROLES):
        raise PermissionDenied
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
            engineer = vendor_team(contract).filter(pk=engineer_id).first() if engineer_id else None
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
    return render(request, "visits/plan.html", {
        "contract": contract, "ticket": ticket, "team": vendor_team(contract), "errors": errors,
        "values": request.POST,
        "purpose": request.POST.get("purpose") or (ticket.subject if ticket else ""),
    })


def _visible(request, pk) -> Visit:
    return get_object_or_404(
        Visit.objects.for_user(request.user, roles_with(Capability.VIEW_TICKETS)).select_related("engineer", "ticket"),
        pk=pk,
    )


@login_required
def detail(request, pk):
    visit = _visible(request, pk)
    bureau = is_member(request.user, visit.contract_id, roles=BUREAU_ROLES)
    signing = services.signing_role(visit, request.user)
    return render(request, "visits/detail.html", {
        "visit": visit,
        "can_work": is_member(request.user, visit.contract_id, roles=VENDOR_ROLES),
        "is_engineer": signing == "engineer",
        "is_manager": signing == "manager",
        "can_confirm": is_member(request.user, visit.contract_id, roles=VENDOR_ROLES | BUREAU_ROLES),
        "confirms_as_bureau": bureau,
    })


@login_required
@require_POST
def act(request, pk, action):
    visit = _visible(request, pk)
    vendor = is_member(request.user, visit.contract_id, roles=VENDOR_ROLES)
    bureau = is_member(request.user, visit.contract_id, roles=BUREAU_ROLES)
    try:
        if action == "check_in" and vendor:
            services.check_in(visit, by=request.user, reason=request.POST.get("reason", ""))
        elif action == "check_out" and vendor:
            services.check_out(visit, by=request.user, work_done=request.POST.get("work_done", ""),
                               parts_used=request.POST.get("parts_used", ""), reason=request.POST.get("reason", ""))
        elif action == "confirm" and (vendor or bureau):
            services.confirm(visit, by=request.user, name=request.POST.get("name", ""),
                             note=request.POST.get("note", ""))
        elif action == "cancel" and vendor:
            services.cancel(visit, by=request.user)
        else:
            raise PermissionDenied
        messages.success(request, _("已更新。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("visits:detail", pk)
