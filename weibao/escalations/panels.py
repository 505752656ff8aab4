"""The escalations of a ticket, on its page (servicedesk/panels.py's registry)."""

from __future__ import annotations

from django.db.models import QuerySet

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.escalations.access import runs_for_item
from weibao.escalations.models import Escalation
from weibao.escalations.subscribers import TICKET
from weibao.servicedesk import probes


def escalations_of(ticket_id: int) -> QuerySet:
    return Escalation.objects.filter(object_type=TICKET, object_id=str(ticket_id))


def ticket_escalation_panel(user, ticket) -> dict | None:
    if not probes.has(ticket, "escalations"):
        return None
    runs = runs_for_item(user, TICKET, ticket.pk)
    if not runs:
        return None
    return {
        "template": "escalations/_item_panel.html",
        "runs": runs,
        "can_acknowledge": can(user, ticket.contract_id, Capability.ACKNOWLEDGE_ESCALATIONS),
    }
