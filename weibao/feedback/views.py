"""The project manager's rectification list (差评整改) with call-back and close, the
好差评 figures of a period, and rating a ticket from its page."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

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
from weibao.core.params import parse_positive_int
from weibao.feedback import access, exports
from weibao.feedback.models import Rating, Rectification
from weibao.feedback.services import ratings, rectifications
from weibao.feedback.services.figures import parse_period, quick_periods, satisfaction_figures


def _period(request, today) -> tuple:
    """The figures period asked for: a quick choice, start/end dates, or this month."""
    periods = quick_periods(today)
    quick = next((p for p in periods if p.key == request.GET.get("period")), None)
    if quick is None and not ("start" in request.GET or "end" in request.GET):
        quick = periods[0]
    if quick is not None:
        return quick.start, quick.end, quick.key, {}
    try:
        start, end = parse_period(request.GET.get("start"), request.GET.get("end"))
    except ValidationError as error:
        return None, None, "", error.message_dict
    return start, end, "", {}


def _day_value(request, name: str, day) -> str:
    """What the date field shows: the period's day, or what was typed when it was refused."""
    return day.isoformat() if day else request.GET.get(name, "")[:20]


@requires(Capability.VIEW_TICKETS)
@login_required
def rectification_list(request):
    """The rectifications, and the 好差评 figures of a period (CSV/XLSX export audited)."""
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_TICKETS)
    items = Rectification.objects.filter(contract=contract).select_related("ticket", "rating")
    status = request.GET.get("status", "open")
    if status in Rectification.Status.values:
        items = items.filter(status=status)
    today = clock.local_now().date()
    start, end, quick, period_errors = _period(request, today)
    show_figures = not period_errors and can(request.user, contract.pk, Capability.VIEW_FIGURES)
    figures = satisfaction_figures(contract, start, end) if show_figures else None
    fmt = request.GET.get("export")
    if figures is not None and fmt in ("csv", "xlsx"):
        return exports.export(contract, figures, fmt, user=request.user)
    period_query = urlencode({"start": start, "end": end}) if figures is not None else ""
    return render(request, "feedback/list.html", {
        "contract": contract, "items": items, "status": status, "today": today, "figures": figures,
        "statuses": Rectification.Status.choices, "periods": quick_periods(today),
        "quick": quick, "period_errors": period_errors, "period_query": period_query,
        "start_value": _day_value(request, "start", start), "end_value": _day_value(request, "end", end),
    }, status=400 if period_errors else 200)


@requires(Capability.VIEW_TICKETS)
@login_required
def rectification_detail(request, pk):
    item = access.rectification_for(request.user, pk)
    can_manage = can(request.user, item.contract_id, Capability.MANAGE_RECTIFICATIONS)
    return render(request, "feedback/detail.html", {
        "item": item, "can_manage": can_manage, "outcomes": Rectification.Outcome.choices,
        "today": clock.local_now().date(), "earlier_callbacks": rectifications.earlier_callbacks(item),
    })


@requires(Capability.MANAGE_RECTIFICATIONS)
@login_required
@require_POST
def rectification_callback(request, pk):
    item = access.rectification_for(request.user, pk, Capability.MANAGE_RECTIFICATIONS)
    try:
        rectifications.record_callback(
            item, by=request.user, notes=request.POST.get("callback_notes", ""),
            outcome=request.POST.get("callback_outcome", ""), plan=request.POST.get("plan", ""),
        )
        messages.success(request, _("已记录回访。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("feedback:detail", pk)


@requires(Capability.MANAGE_RECTIFICATIONS)
@login_required
@require_POST
def rectification_close(request, pk):
    item = access.rectification_for(request.user, pk, Capability.MANAGE_RECTIFICATIONS)
    try:
        rectifications.close(item, by=request.user)
        messages.success(request, _("整改已办结。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("feedback:detail", pk)


def overdue(item: Rectification, today: date) -> bool:
    return item.status == Rectification.Status.OPEN and item.due_on < today


@requires(Capability.RATE, Capability.RELAY_RATING)
@login_required
@require_POST
def rate_ticket(request, ticket_pk):
    """A member who may rate records a rating: the bureau liaison its own, a hotline agent
    or the PM one the requester gave on a call-back (stored as such by the service)."""
    ticket, _rater = access.ticket_to_rate(request.user, ticket_pk)
    level = parse_positive_int(request.POST.get("level"), "level", minimum=0) or 0
    try:
        rating = ratings.rate(ticket, level, request.POST.get("comment", ""), by=request.user, source=Rating.Source.WEB)
        messages.success(request, _("已记录电话回访评价。") if rating.relayed else _("已记录评价。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("servicedesk:detail", ticket.pk)
