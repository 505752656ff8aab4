"""What starts and stops escalations: events on the core outbox (decision 0016's item 6).

SLA warnings and breaches and 督办 start the policies whose triggers match the ticket's
priority; an incident opening starts those matching its level (the incidents app
publishes it). An incident acknowledged or resolved in its own app, or a ticket resolved,
stops its runs. Subscribers are idempotent: a re-dispatched event starts nothing twice.
"""

from __future__ import annotations

from django.urls import reverse

from weibao.accounts.models import User
from weibao.core.events import subscribe
from weibao.escalations.models import EscalationTrigger
from weibao.escalations.services import engine
from weibao.servicedesk.models import Ticket

TICKET = "servicedesk.ticket"
INCIDENT = "incidents.incident"
SUBJECTS = {
    "sla.warning": "SLA 即将超时",
    "sla.breached": "SLA 已超时",
    "ticket.urged": "督办",
}


def _start_matching(event, *, grade: str, object_type: str, object_id, subject: str, link: str):
    triggers = EscalationTrigger.objects.filter(
        contract_id=event.contract_id, event_type=event.type, policy__active=True
    ).select_related("policy")
    for trigger in triggers:
        if trigger.matches(grade):
            engine.start(trigger.policy, object_type=object_type, object_id=object_id,
                         subject=subject, link=link, reason=event.type, source_event=event.pk)


@subscribe("sla.warning")
@subscribe("sla.breached")
@subscribe("ticket.urged")
def start_for_ticket(event) -> None:
    ticket_id = (event.payload or {}).get("ticket")
    ticket = Ticket.objects.filter(pk=ticket_id, contract_id=event.contract_id).first()
    if ticket is None:
        return
    _start_matching(
        event, grade=ticket.priority, object_type=TICKET, object_id=ticket.pk,
        subject=f"{ticket.number} {SUBJECTS[event.type]}：{ticket.subject}",
        link=reverse("servicedesk:detail", args=[ticket.pk]),
    )


@subscribe("incident.opened")
@subscribe("incident.level_changed")
def start_for_incident(event) -> None:
    payload = event.payload or {}
    _start_matching(
        event, grade=str(payload.get("level", "")), object_type=INCIDENT,
        object_id=event.object_id, subject=f"【{payload.get('level', '')}级事件】{payload.get('title', '')}",
        link=str(payload.get("link", "")),
    )


@subscribe("incident.acknowledged")
def stop_for_acknowledged_incident(event) -> None:
    engine.stop_for_item(INCIDENT, event.object_id, event.contract_id, reason="incident.acknowledged",
                         acknowledged_by=_user(event))


@subscribe("incident.resolved")
def stop_for_resolved_incident(event) -> None:
    engine.stop_for_item(INCIDENT, event.object_id, event.contract_id, reason="incident.resolved")


@subscribe("ticket.resolved")
def stop_for_resolved_ticket(event) -> None:
    engine.stop_for_item(TICKET, event.object_id, event.contract_id, reason="ticket.resolved")


def _user(event):
    user_id = (event.payload or {}).get("user")
    return User.objects.filter(pk=user_id).first() if user_id else None
