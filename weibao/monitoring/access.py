"""Who may do what with monitors, windows and status pages: load-and-check helpers for the
pages and the API alike (404 when the row is not visible, 403 without the capability)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.monitoring.models import MaintenanceWindow, Monitor
from weibao.servicedesk.models import ServiceComponent


def monitor_for(user, pk, capability: str = Capability.VIEW_MONITORS) -> Monitor:
    """A monitor ``user`` sees (on a contract where they may see availability; 404
    otherwise) on which they hold ``capability`` (403)."""
    monitor = get_object_or_404(
        Monitor.objects.restrict(user, Capability.VIEW_AVAILABILITY).select_related("component", "contract"), pk=pk
    )
    require(user, monitor.contract_id, capability)
    return monitor


def window_for(user, pk, capability: str = Capability.DECLARE_MAINTENANCE) -> MaintenanceWindow:
    window = get_object_or_404(MaintenanceWindow.objects.restrict(user, Capability.VIEW_AVAILABILITY), pk=pk)
    require(user, window.contract_id, capability)
    return window


def components(contract_id: int | None):
    """The components a monitor or window of the contract may name."""
    return ServiceComponent.objects.filter(contract_id=contract_id, active=True) if contract_id else ServiceComponent.objects.none()
