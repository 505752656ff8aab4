"""The mail channel's copies of an anonymised requester's address (decision 0026)."""

from __future__ import annotations

from weibao.mailchannel.models import InboundMail, OutboundMail


def forget_requesters(event) -> int:
    """Clear the sender of the mail received for, and the recipient of the mail sent about,
    the tickets whose requesters retention anonymised. Idempotent: the event may run twice.
    The raw message is kept (it is the evidence of what arrived; decision 0026)."""
    ticket_ids = [int(pk) for pk in (event.payload or {}).get("ticket_ids", [])]
    if not ticket_ids:
        return 0
    cleared = 0
    for mail in InboundMail.objects.filter(contract_id=event.contract_id, ticket_id__in=ticket_ids).defer("raw"):
        if mail.from_address:
            mail.from_address = ""
            mail.save(update_fields=["from_address"])  # its hash follows (PersonalDataModel)
            cleared += 1
    for mail in OutboundMail.objects.filter(contract_id=event.contract_id, ticket_id__in=ticket_ids):
        if mail.to_address:
            mail.to_address = ""
            mail.save(update_fields=["to_address"])
            cleared += 1
    return cleared
