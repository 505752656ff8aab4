"""Ticket events this app acts on (registered when the app is ready)."""

from weibao.core import events
from weibao.mailchannel.services.outbound import on_ticket_event

for event_type in ("ticket.created", "ticket.replied", "ticket.resolved"):
    events.subscribe(event_type)(on_ticket_event)
