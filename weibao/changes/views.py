"""Change requests and data-access requests: lists, the change calendar, forms and the
signed approvals. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.access import can, contract_for, requires
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.flash import run_and_report, run_form
from weibao.core.params import (
    page_of,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_id,
    parse_positive_int,
    parse_text,
    require_id,
)
from weibao.servicedesk.access import components, ticket_for, who_can_work
from weibao.servicedesk.models import Ticket

from . import access, calendar, data, services
from .models import ChangeRequest, DataAccessRequest, StandardChangeTemplate

PER_PAGE = 25


_done = run_and_report
# ChangeApproval.comment and DataAccessRequest.decision_comment hold 1000 characters.
COMMENT_LIMIT = 1000


def _signed_decision(request) -> dict:
    """An approver's decision as the approval services take it: approve unless
    "reject" was chosen, the comment, the second factor's code."""
    return {
        "approve": request.POST.get("decision", "approve") != "reject",
        "comment": parse_text(request.POST.get("comment"), "comment", COMMENT_LIMIT),
        "otp": parse_text(request.POST.get("otp"), "otp", 20),
    }


@requires(Capability.VIEW_CHANGES)
@login_required
def change_list(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_CHANGES)
    wanted = parse_choice(request.GET.get("status"), "status", ChangeRequest.Status.values)
    rows = ChangeRequest.objects.filter(contract=contract).select_related("implementer").prefetch_related("approvals")
    if wanted:
        rows = rows.filter(status=wanted)
    page = page_of(request, rows.order_by("-planned_start", "-pk"), PER_PAGE)
    for change in page:
        change.flagged = services.awaiting_retro_approval(change)
        change.overdue = services.retro_overdue(change)
    return render(request, "changes/list.html", {
        "contract": contract, "page": page, "status": wanted or "", "statuses": ChangeRequest.Status.choices,
        "can_request": can(request.user, contract.pk, Capability.REQUEST_CHANGES),
        "can_configure": can(request.user, contract.pk, Capability.CONFIGURE_CHANGES),
    })


@requires(Capability.VIEW_CHANGES)
@login_required
def change_calendar(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_CHANGES)
    today = clock.local_now().date()
    raw = request.GET.get("month", "")
    month = parse_date(f"{raw}-01", "month") if raw else today.replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "changes/calendar.html", {
        "contract": contract, "month": month, "days": calendar.month(contract, month.year, month.month),
        "previous": previous, "next": following, "today": today,
    })


def _form_values(request) -> dict:
    return {key: request.POST.get(key, "") for key in (
        "kind", "template", "title", "description", "reason", "risk", "impact", "implementation_plan",
        "rollback_plan", "planned_start", "planned_end", "implementer", "data_access", "touches_data", "tickets",
    )}


@requires(Capability.REQUEST_CHANGES)
@login_required
def change_new(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.REQUEST_CHANGES)
    templates = StandardChangeTemplate.objects.filter(contract=contract, active=True, approved_at__isnull=False)
    catalogue = components(contract.pk)
    team = services_team(contract)
    approvals = DataAccessRequest.objects.filter(contract=contract, status=DataAccessRequest.Status.APPROVED)
    errors, values = {}, _form_values(request) if request.method == "POST" else {"kind": request.GET.get("kind", "normal"), "risk": "medium"}
    chosen_components: list[int] = []
    if request.method == "POST":
        def step():
            chosen_components[:] = [require_id(v, "components") for v in request.POST.getlist("components")]
            numbers = [n.strip() for n in parse_text(request.POST.get("tickets"), "tickets", 2000).replace("，", ",").split(",") if n.strip()]
            tickets = list(Ticket.objects.filter(contract=contract, number__in=numbers))
            if len(tickets) != len(set(numbers)):
                raise ValidationError({"tickets": _("有工单编号在本合同中不存在。")})
            template_id = require_id(request.POST.get("template"), "template")
            implementer_id = require_id(request.POST.get("implementer"), "implementer")
            data_access_id = require_id(request.POST.get("data_access"), "data_access")
            return services.request_change(
                contract, by=request.user, kind=request.POST.get("kind", ""), title=parse_text(request.POST.get("title"), "title", 200),
                reason=parse_text(request.POST.get("reason"), "reason", 20000), description=parse_text(request.POST.get("description"), "description", 20000),
                risk=request.POST.get("risk", ""), impact=parse_text(request.POST.get("impact"), "impact", 20000),
                implementation_plan=parse_text(request.POST.get("implementation_plan"), "implementation_plan", 20000),
                rollback_plan=parse_text(request.POST.get("rollback_plan"), "rollback_plan", 20000),
                planned_start=parse_datetime(request.POST.get("planned_start"), "planned_start"),
                planned_end=parse_datetime(request.POST.get("planned_end"), "planned_end"),
                template=templates.filter(pk=template_id).first() if template_id else None,
                components=list(catalogue.filter(pk__in=chosen_components)),
                implementer=team.filter(pk=implementer_id).first() if implementer_id else None,
                touches_data=request.POST.get("touches_data") == "on",
                data_access=approvals.filter(pk=data_access_id).first() if data_access_id else None,
                tickets=tickets,
            )

        change, errors = run_form(step)
        if not errors:
            messages.success(request, _("已提交变更申请 %(n)s。") % {"n": change.number})
            return redirect("changes:detail", change.pk)
    return render(request, "changes/new.html", {
        "contract": contract, "templates": templates, "catalogue": catalogue, "team": team,
        "approvals": approvals, "errors": errors, "values": values, "chosen_components": chosen_components,
        "kinds": ChangeRequest.Kind.choices, "risks": ChangeRequest.Risk.choices,
    }, status=400 if errors else 200)


def services_team(contract):
    """Who may implement a change: the engineers and the PM who may be assigned work."""
    return who_can_work(contract.pk)


@requires(Capability.VIEW_CHANGES)
@login_required
def change_detail(request, pk):
    change = access.change_for(request.user, pk)
    user, cid = request.user, change.contract_id
    return render(request, "changes/detail.html", {
        "change": change, "approvals": change.approvals.all(), "conflicts": calendar.conflicts(change),
        "missing": services.missing_approvals(change) if change.status == ChangeRequest.Status.REQUESTED else [],
        "awaiting_retro": services.awaiting_retro_approval(change), "overdue": services.retro_overdue(change),
        "moves": services.TRANSITIONS[change.status],
        "can_move": can(user, cid, Capability.REQUEST_CHANGES),
        "can_approve": can(user, cid, Capability.APPROVE_CHANGES) and change.kind != ChangeRequest.Kind.STANDARD
        and not services.bureau_approved(change) and change.status not in ("rejected", "cancelled"),
        "can_endorse": can(user, cid, Capability.ENDORSE_CHANGES) and change.kind == ChangeRequest.Kind.NORMAL
        and change.status == ChangeRequest.Status.REQUESTED and not services.pm_endorsed(change)
        and services.settings_for(change.contract).pm_approval_first,
        "needs_otp": getattr(user, "totp_enabled", False),
        "outcomes": ChangeRequest.Outcome.choices, "status_labels": dict(ChangeRequest.Status.choices),
        "approvals_in_force": DataAccessRequest.objects.filter(contract_id=cid, status=DataAccessRequest.Status.APPROVED),
    })


@requires(Capability.APPROVE_CHANGES)
@login_required
@require_POST
def change_approve(request, pk):
    change = access.change_for(request.user, pk, Capability.APPROVE_CHANGES)
    decision = _signed_decision(request)
    return _done(request, lambda: services.approve(change, by=request.user, **decision), ("changes:detail", pk))


@requires(Capability.ENDORSE_CHANGES)
@login_required
@require_POST
def change_endorse(request, pk):
    change = access.change_for(request.user, pk, Capability.ENDORSE_CHANGES)
    decision = _signed_decision(request)
    return _done(request, lambda: services.endorse(change, by=request.user, **decision), ("changes:detail", pk))


@requires(Capability.REQUEST_CHANGES)
@login_required
@require_POST
def change_transition(request, pk):
    change = access.change_for(request.user, pk, Capability.REQUEST_CHANGES)
    return _done(request, lambda: services.transition(
        change, request.POST.get("to", ""), by=request.user, comment=parse_text(request.POST.get("comment"), "comment", 1000),
        review_outcome=request.POST.get("review_outcome", ""), review_notes=parse_text(request.POST.get("review_notes"), "review_notes", 20000),
    ), ("changes:detail", pk))


@requires(Capability.REQUEST_CHANGES)
@login_required
@require_POST
def change_link(request, pk):
    """Link a ticket (by its number) or a data-access approval to the change."""
    change = access.change_for(request.user, pk, Capability.REQUEST_CHANGES)

    def step():
        number = parse_text(request.POST.get("ticket"), "ticket", 40).strip()
        if number:
            ticket = Ticket.objects.filter(contract_id=change.contract_id, number=number).first()
            if ticket is None:
                raise ValidationError({"ticket": _("本合同没有编号为 %(n)s 的工单。") % {"n": number[:40]}})
            services.link_ticket(change, ticket, by=request.user)
        approval_id = require_id(request.POST.get("data_access"), "data_access")
        if approval_id:
            approval = DataAccessRequest.objects.filter(contract_id=change.contract_id, pk=approval_id).first()
            if approval is None:
                raise ValidationError({"data_access": _("数据使用申请不存在。")})
            services.link_data_access(change, approval, by=request.user)

    return _done(request, step, ("changes:detail", pk))


@requires(Capability.CONFIGURE_CHANGES)
@login_required
def change_settings(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.CONFIGURE_CHANGES)
    found = services.settings_for(contract)
    if request.method == "POST":
        def step():
            hours = parse_positive_int(request.POST.get("retro_approval_hours"), "retro_approval_hours", maximum=720)
            services.save_settings(contract, by=request.user, pm_approval_first=request.POST.get("pm_approval_first") == "on",
                                   retro_approval_hours=hours or 0)

        return _done(request, step, ("changes:settings",))
    return render(request, "changes/settings.html", {
        "contract": contract, "settings": found,
        "templates": StandardChangeTemplate.objects.filter(contract=contract),
    })


@requires(Capability.CONFIGURE_CHANGES)
@login_required
@require_POST
def template_new(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.CONFIGURE_CHANGES)
    return _done(request, lambda: services.save_template(
        contract, by=request.user, name=parse_text(request.POST.get("name"), "name", 200), description=parse_text(request.POST.get("description"), "description", 20000),
        implementation_plan=parse_text(request.POST.get("implementation_plan"), "implementation_plan", 20000), rollback_plan=parse_text(request.POST.get("rollback_plan"), "rollback_plan", 20000),
    ), ("changes:settings",))


@requires(Capability.VIEW_CHANGES)
@login_required
def template_list(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_CHANGES)
    return render(request, "changes/templates.html", {
        "contract": contract, "templates": StandardChangeTemplate.objects.filter(contract=contract),
        "can_approve": can(request.user, contract.pk, Capability.APPROVE_CHANGES),
        "needs_otp": getattr(request.user, "totp_enabled", False),
    })


@requires(Capability.APPROVE_CHANGES)
@login_required
@require_POST
def template_approve(request, pk):
    template = access.template_for(request.user, pk, Capability.APPROVE_CHANGES)
    return _done(request, lambda: services.approve_template(template, by=request.user, otp=parse_text(request.POST.get("otp"), "otp", 20)),
                 ("changes:templates",))


# --- data-access requests ----------------------------------------------------------------


@requires(Capability.VIEW_DATA_ACCESS)
@login_required
def data_list(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_DATA_ACCESS)
    page = page_of(request, DataAccessRequest.objects.filter(contract=contract).select_related("requested_by")
                   .order_by("-requested_at", "-pk"), PER_PAGE)
    today = clock.today()
    for row in page:
        row.current = row.state(today)
    return render(request, "changes/data_list.html", {
        "contract": contract, "page": page,
        "can_request": can(request.user, contract.pk, Capability.REQUEST_DATA_ACCESS),
    })


@requires(Capability.REQUEST_DATA_ACCESS)
@login_required
def data_new(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.REQUEST_DATA_ACCESS)
    errors, values = {}, request.POST
    if request.method == "POST":
        row, errors = run_form(lambda: data.request_access(
            contract, by=request.user, purpose=parse_text(request.POST.get("purpose"), "purpose", 500),
            data_scope=parse_text(request.POST.get("data_scope"), "data_scope", 20000), systems=parse_text(request.POST.get("systems"), "systems", 500),
            period_start=parse_date(request.POST.get("period_start"), "period_start"),
            period_end=parse_date(request.POST.get("period_end"), "period_end"),
        ))
        if not errors:
            messages.success(request, _("已提交数据使用申请 %(n)s。") % {"n": row.number})
            return redirect("changes:data_detail", row.pk)
    return render(request, "changes/data_new.html", {"contract": contract, "errors": errors, "values": values},
                  status=400 if errors else 200)


@requires(Capability.VIEW_DATA_ACCESS)
@login_required
def data_detail(request, pk):
    row = access.data_access_for(request.user, pk)
    return render(request, "changes/data_detail.html", {
        "row": row, "state": row.state(clock.today()),
        "changes": row.changes.all(), "ticket_marks": row.ticket_marks.select_related("ticket"),
        "can_decide": can(request.user, row.contract_id, Capability.APPROVE_DATA_ACCESS),
        "needs_otp": getattr(request.user, "totp_enabled", False),
    })


@requires(Capability.APPROVE_DATA_ACCESS)
@login_required
@require_POST
def data_decide(request, pk):
    row = access.data_access_for(request.user, pk, Capability.APPROVE_DATA_ACCESS)
    decision = _signed_decision(request)
    if request.POST.get("decision") == "revoke":
        return _done(request, lambda: data.revoke(row, by=request.user, comment=decision["comment"]),
                     ("changes:data_detail", pk))
    return _done(request, lambda: data.decide(row, by=request.user, **decision), ("changes:data_detail", pk))


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def ticket_data_mark(request, pk):
    """From the ticket page: its work touches the platform's data (and under which approval)."""
    ticket = ticket_for(request.user, pk, Capability.WORK_TICKETS)

    def step():
        approval_id = parse_id(request.POST.get("data_access"))
        approval = DataAccessRequest.objects.filter(contract_id=ticket.contract_id, pk=approval_id).first() if approval_id else None
        if request.POST.get("data_access") and approval is None:
            raise ValidationError({"data_access": _("数据使用申请不存在。")})
        data.mark_ticket(ticket, by=request.user, data_access=approval)

    return _done(request, step, ("servicedesk:detail", pk))
