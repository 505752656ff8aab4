"""The incidents' panel on the home page: unresolved incidents and reports falling due."""

from __future__ import annotations

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.incidents.models import Incident, ReportingDuty


def panels(request, contract) -> list[dict]:
    if contract is None or not can(request.user, contract.pk, Capability.VIEW_INCIDENTS):
        return []
    unresolved = list(Incident.objects.filter(contract=contract).unresolved().order_by("level", "opened_at")[:5])
    duties = ReportingDuty.objects.filter(incident__contract=contract, reported_at__isnull=True).exclude(
        incident__status=Incident.Status.RESOLVED
    )
    return [{
        "template": "incidents/_home_panel.html", "incidents": unresolved,
        "open": Incident.objects.filter(contract=contract).unresolved().count(),
        "overdue": duties.filter(due_at__lt=clock.now()).count(),
    }]
