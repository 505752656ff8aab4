"""Who may see and manage a contract's notification channels and delivery log: its project
manager (``Capability.MANAGE_CHANNELS`` / ``MANAGE_DELIVERIES``). A row of another contract
answers as a missing one (404). Platform-wide gateways and deliveries (no contract) are the
system administrator's, through their own views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.notifications.models import Delivery, NotificationChannel


def contract_for(user, contract, capability: str):
    """The contract chosen in the header, once ``user`` holds ``capability`` on it."""
    if contract is None:
        raise PermissionDenied(_("请先在页头选择合同。"))
    require(user, contract.pk, capability)
    return contract


def channel_for(user, pk: int) -> NotificationChannel:
    return get_object_or_404(NotificationChannel.objects.restrict(user, Capability.MANAGE_CHANNELS), pk=pk)


def delivery_for(user, pk: int) -> Delivery:
    return get_object_or_404(Delivery.objects.restrict(user, Capability.MANAGE_DELIVERIES), pk=pk)
