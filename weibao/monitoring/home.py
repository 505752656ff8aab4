"""The monitoring panel on the home page: what is down now, and maintenance under way."""

from __future__ import annotations

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.monitoring.models import MaintenanceWindow, Monitor, MonitorState


def panels(request, contract) -> list[dict]:
    if contract is None or not can(request.user, contract.pk, Capability.VIEW_AVAILABILITY):
        return []
    monitors = Monitor.objects.filter(contract=contract, enabled=True)
    if not monitors.exists():
        return []
    now = clock.now()
    vendor = can(request.user, contract.pk, Capability.VIEW_MONITORS)
    return [{
        "template": "monitoring/_home_panel.html",
        "vendor": vendor,
        "down": list(monitors.filter(state=MonitorState.DOWN).select_related("component").order_by("state_since")[:10]),
        "up": monitors.filter(state=MonitorState.UP).count(),
        "total": monitors.count(),
        "maintenance": list(MaintenanceWindow.objects.filter(contract=contract, start__lte=now, end__gt=now)[:5]),
    }]
