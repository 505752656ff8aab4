"""The team register's panel on the home page: who is flagged, what runs out soon."""

from __future__ import annotations

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.people import compliance, services


def panels(request, contract) -> list[dict]:
    if contract is None or not (
        can(request.user, contract.pk, Capability.MANAGE_PEOPLE)
        or can(request.user, contract.pk, Capability.VIEW_STAFF_RECORDS)
    ):
        return []
    if not compliance.register_kept(contract.pk):
        return [{"template": "people/_home_panel.html", "missing": True}]
    users = [m.user for m in services.team_members(contract)]
    standings = compliance.standings(contract, list({u.pk: u for u in users}.values()))
    flagged = [s for s in standings if not s.compliant]
    expiring = [s for s in standings if s.compliant and s.expiring]
    if not flagged and not expiring:
        return []
    return [{"template": "people/_home_panel.html", "flagged": flagged, "expiring": expiring}]
