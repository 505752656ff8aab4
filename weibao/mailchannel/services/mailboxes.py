"""Which addresses a mailbox may use: its own, in its own domain, never another contract's.

A mailbox's addresses decide two things beyond its contract: loop screening ignores mail
from them, and outbound notifications carry the sender address as From. So a project
manager may not name a citizen's address or another tenant's as theirs, and a refusal
says no more than "not an address you may use": a taken address answers exactly like a
malformed one, so the form is no oracle for other tenants' mailboxes."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weibao.mailchannel.models import Mailbox

REFUSED = _("请输入本合同可以使用的合法邮件地址。")


def own_addresses(mailbox: Mailbox) -> set[str]:
    """The addresses mail from which is this mailbox's own coming back (loop screening)."""
    return {address.lower() for address in (mailbox.address, mailbox.sender_address) if address}


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _used_elsewhere(mailbox: Mailbox, address: str) -> bool:
    others = Mailbox.objects.exclude(contract_id=mailbox.contract_id)
    return others.filter(Q(address__iexact=address) | Q(sender_address__iexact=address)).exists()


def address_problems(mailbox: Mailbox, *, address: str, sender_address: str) -> dict[str, str]:
    """Why ``mailbox`` may not use these addresses, by form field (empty: it may).

    The sender address is the receiving address or another in its domain (the domain whose
    mail reaches this desk is the contract's); neither may be another contract's."""
    problems = {}
    if address and _used_elsewhere(mailbox, address):
        problems["address"] = REFUSED
    if sender_address and sender_address.lower() != (address or "").lower():
        if not address or _domain(sender_address) != _domain(address) or _used_elsewhere(mailbox, sender_address):
            problems["sender_address"] = REFUSED
    return problems
