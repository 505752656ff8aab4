"""Who may read and manage a contract's mail channel: the project manager
(``Capability.MANAGE_MAIL``). Each helper loads and checks in one call; a mail, mailbox or
outgoing message of a contract the user does not manage answers as a missing one (404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.mailchannel.models import InboundMail, Mailbox, OutboundMail


def managed_contract(user, contract):
    """``contract`` (the one chosen in the header) once ``user`` manages its mail."""
    if contract is None:
        raise PermissionDenied(_("您没有权限进行此操作。"))
    require(user, contract.pk, Capability.MANAGE_MAIL)
    return contract


def inbound_mail_for(user, pk: int) -> InboundMail:
    return get_object_or_404(InboundMail.objects.restrict(user, Capability.MANAGE_MAIL), pk=pk)


def outbound_mail_for(user, pk: int) -> OutboundMail:
    return get_object_or_404(OutboundMail.objects.restrict(user, Capability.MANAGE_MAIL), pk=pk)


def mailbox_for(user, pk: int) -> Mailbox:
    return get_object_or_404(Mailbox.objects.restrict(user, Capability.MANAGE_MAIL), pk=pk)
