"""The project manager's rectification list (差评整改) with call-back and close."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.accounts.roles import Capability, roles_with
from weibao.contracts.services import has_capability
from weibao.core import clock
from weibao.feedback import services
from weibao.feedback.models import Rectification
from weibao.web.feedback_messages import report_errors

MANAGERS = roles_with(Capability.MANAGE_SLA)


def _contract(request):
    contract = getattr(request, "contract", None)
    if contract is None or not has_capability(request.user, contract, Capability.VIEW_TICKETS):
        raise PermissionDenied
    return contract


@login_required
def rectification_list(request):
    contract = _contract(request)
    items = Rectification.objects.filter(contract=contract).select_related("ticket", "rating")
    status = request.GET.get("status", "open")
    if status in Rectification.Status.values:
        items = items.filter(status=status)
    today = clock.local_now().date()
    start = today.replace(day=1)
    figures = services.satisfaction_figures(contract, start, today)
    return render(request, "feedback/list.html", {
        "contract": contract, "items": items, "status": status, "today": today, "figures": figures,
        "statuses": Rectification.Status.choices,
    })


@login_required
def rectification_detail(request, pk):
    item = get_object_or_404(
        Rectification.objects.for_user(request.user, roles_with(Capability.VIEW_TICKETS)).select_related("ticket", "rating"),
        pk=pk,
    )
    can_manage = has_capability(request.user, item.contract, Capability.MANAGE_SLA)
    return render(request, "feedback/detail.html", {
        "item": item, "can_manage": can_manage, "outcomes": Rectification.Outcome.choices,
        "today": clock.local_now().date(),
    })


def _managed(request, pk) -> Rectification:
    return get_object_or_404(Rectification.objects.for_user(request.user, MANAGERS), pk=pk)


@login_required
@require_POST
def rectification_callback(request, pk):
    item = _managed(request, pk)
    try:
        services.record_callback(
            item, by=request.user, notes=request.POST.get("callback_notes", ""),
            outcome=request.POST.get("callback_outcome", ""), plan=request.POST.get("plan", ""),
        )
        messages.success(request, _("已记录回访。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("feedback:detail", pk)


@login_required
@require_POST
def rectification_close(request, pk):
    item = _managed(request, pk)
    try:
        services.close(item, by=request.user)
        messages.success(request, _("整改已办结。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("feedback:detail", pk)


def overdue(item: Rectification, today: date) -> bool:
    return item.status == Rectification.Status.OPEN and item.due_on < today


@login_required
@require_POST
def rate_ticket(request, ticket_pk):
    """A member who may rate (bureau liaison, hotline agent, PM) records a rating."""
    from weibao.contracts.scoping import is_member
    from weibao.feedback.api import RATERS
    from weibao.feedback.models import Rating
    from weibao.servicedesk.models import Ticket

    ticket = get_object_or_404(Ticket.objects.for_user(request.user, roles_with(Capability.VIEW_TICKETS)), pk=ticket_pk)
    if not is_member(request.user, ticket.contract_id, roles=RATERS):
        raise PermissionDenied
    try:
        level = int(request.POST.get("level", "0"))
    except ValueError:
        level = 0
    try:
        services.rate(ticket, level, request.POST.get("comment", ""), by=request.user, source=Rating.Source.WEB)
        messages.success(request, _("已记录评价。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("servicedesk:detail", ticket.pk)
