"""Who may see and manage a contract's notification channels and delivery log: its project
manager (``Capability.MANAGE_CHANNELS`` / ``MANAGE_DELIVERIES``). A row of another contract
answers as a missing one (404). Platform-wide gateways and deliveries (no contract) are the
system administrator's, through their own views."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from weibao.contracts.roles import Capability
from weibao.notifications.models import Delivery, NotificationChannel


def channel_for(user, pk: int) -> NotificationChannel:
    return get_object_or_404(NotificationChannel.objects.restrict(user, Capability.MANAGE_CHANNELS), pk=pk)


def delivery_for(user, pk: int) -> Delivery:
    return get_object_or_404(Delivery.objects.restrict(user, Capability.MANAGE_DELIVERIES), pk=pk)
