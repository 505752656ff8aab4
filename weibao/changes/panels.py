"""The ticket page's panel of this app: the changes linked to the ticket, whether its
work touches the platform's data and the approval that allows it."""

from __future__ import annotations

from django.db.models import QuerySet

from weibao.changes.models import ChangeRequest, DataAccessRequest, TicketDataMark
from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.servicedesk import probes


def changes_of(ticket_id: int) -> QuerySet:
    return ChangeRequest.tickets.through.objects.filter(ticket_id=ticket_id)


def data_marks_of(ticket_id: int) -> QuerySet:
    return TicketDataMark.objects.filter(ticket_id=ticket_id)


def ticket_changes_panel(user, ticket) -> dict | None:
    if not can(user, ticket.contract_id, Capability.VIEW_CHANGES):
        return None
    today = clock.today()
    may_mark = can(user, ticket.contract_id, Capability.WORK_TICKETS)
    approvals = []
    if may_mark:
        approvals = list(DataAccessRequest.objects.filter(
            contract_id=ticket.contract_id, status=DataAccessRequest.Status.APPROVED,
            period_start__lte=today, period_end__gte=today).only("number", "purpose").order_by("-requested_at"))
    return {
        "template": "changes/_ticket_panel.html",
        # What the panel shows of each (on every ticket page: not every column), in their
        # order within one contract (the models' order starts with the contract: a join).
        "changes": ChangeRequest.objects.filter(contract_id=ticket.contract_id, tickets=ticket)
        .only("number", "status").order_by("-planned_start") if probes.has(ticket, "changes") else [],
        "mark": TicketDataMark.objects.filter(ticket=ticket).select_related("data_access")
        .only("data_access__number").first() if probes.has(ticket, "data_mark") else None,
        "may_mark": may_mark,
        "approvals": approvals,
    }
