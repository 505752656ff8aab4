"""The changes app's panel on the home page: what waits for the bureau's signature and
emergency changes still awaiting their retroactive approval."""

from __future__ import annotations

from weibao.contracts.access import can
from weibao.contracts.roles import Capability

from . import services
from .models import ChangeRequest, DataAccessRequest


def panels(request, contract) -> list[dict]:
    if contract is None or not can(request.user, contract.pk, Capability.VIEW_CHANGES):
        return []
    changes = ChangeRequest.objects.filter(contract=contract)
    emergencies = [c for c in changes.filter(kind=ChangeRequest.Kind.EMERGENCY, started_at__isnull=False)
                   .exclude(status=ChangeRequest.Status.CANCELLED).prefetch_related("approvals")
                   if services.awaiting_retro_approval(c)]
    awaiting = changes.filter(status=ChangeRequest.Status.REQUESTED).exclude(kind=ChangeRequest.Kind.EMERGENCY, started_at__isnull=False)
    data_waiting = DataAccessRequest.objects.filter(contract=contract, status=DataAccessRequest.Status.REQUESTED)
    if not (emergencies or awaiting.exists() or data_waiting.exists()):
        return []
    return [{
        "template": "changes/_home_panel.html",
        "awaiting": awaiting.count(),
        "data_waiting": data_waiting.count(),
        "emergencies": emergencies[:8],
        "approver": can(request.user, contract.pk, Capability.APPROVE_CHANGES),
    }]
