"""The service desk's panel on the home page: the queue figures each role acts on."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.servicedesk import access
from weibao.servicedesk.models import SlaClock, Status, Ticket, breaching_soon


def panels(request, contract) -> list[dict]:
    user = request.user
    if contract is None or not can(user, contract.pk, Capability.VIEW_TICKETS):
        return []
    now = clock.now()
    tickets = Ticket.objects.filter(contract=contract)
    # The open tickets' figures read only an index (PostgreSQL: 0017's partial one; SQLite:
    # its status cover), the last day's count the creation-time index: one pass over the
    # contract's tickets cost more than both together.
    figures = tickets.open().aggregate(
        open=Count("id"),
        mine=Count("id", filter=Q(assignee=user)),
        unassigned=Count("id", filter=Q(status=Status.NEW)),
        breaching=Count("id", filter=breaching_soon(now)),
        breached=Count("id", filter=Q(sla_state=SlaClock.State.BREACHED)),
    )
    figures["today"] = tickets.filter(created_at__gte=now - timedelta(hours=24)).count()
    vendor = can(user, contract.pk, Capability.WORK_TICKETS)
    recent = tickets.open()
    if vendor:
        recent = recent.filter(assignee=user) if figures["mine"] else recent
        recent = recent.order_by(F("sla_due_at").asc(nulls_last=True), "-created_at", "-id")
    return [
        {
            "template": "servicedesk/_home_panel.html",
            "figures": figures,
            "vendor": vendor,
            "recent": list(recent.select_related("assignee")[:8]),
            **_urged(tickets, user, access.urged_scope(user, contract.pk)),
        }
    ]


def _urged(tickets, user, scope: str | None) -> dict:
    """督办 on the home queue: the project manager sees every urged open ticket of the
    contract, the vendor team member those assigned to them; most urged first."""
    if scope == "all":
        urged, link = tickets.urged(), "?view=urged&sort=-urged"
    elif scope == "mine":
        urged, link = tickets.urged().filter(assignee=user), "?view=urged&sort=-urged&assignee=me"
    else:
        return {"show_urged": False}
    return {
        "show_urged": True,
        "urged_count": urged.count(),
        "urged": list(urged.select_related("assignee")[:8]),
        "urged_link": link,
    }
