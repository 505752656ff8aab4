"""The ledger's panel on the home page of the PM and the bureau: what waits on them."""

from __future__ import annotations

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.ledger.models import BreachNotice, PenaltyEntry
from weibao.ledger.services.payments import schedule


def panels(request, contract) -> list[dict]:
    user = request.user
    if contract is None or not can(user, contract.pk, Capability.VIEW_LEDGER):
        return []
    today = clock.local_now().date()
    states = schedule(contract, today)
    waiting = PenaltyEntry.Status.PROPOSED if can(user, contract.pk, Capability.MANAGE_LEDGER) else (
        PenaltyEntry.Status.APPROVED if can(user, contract.pk, Capability.ACKNOWLEDGE_LEDGER) else None)
    return [{
        "template": "ledger/_home_panel.html",
        "contract": contract,
        "overdue": sum(1 for s in states if s.status == "overdue"),
        "paid": sum(1 for s in states if s.status == "paid"),
        "milestones": len(states),
        "notices": BreachNotice.objects.filter(contract=contract, outcome=BreachNotice.Outcome.PENDING).count(),
        "penalties": PenaltyEntry.objects.filter(contract=contract, status=waiting).count() if waiting else 0,
    }]
