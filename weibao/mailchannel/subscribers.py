"""Ticket events this app acts on (registered when the app is ready)."""

from weibao.core import events
from weibao.mailchannel.services.outbound import on_ticket_event
from weibao.mailchannel.services.retention import forget_requesters

for event_type in ("ticket.created", "ticket.replied", "ticket.resolved"):
    events.subscribe(event_type)(on_ticket_event)
events.subscribe("ticket.requesters_anonymised")(forget_requesters)
