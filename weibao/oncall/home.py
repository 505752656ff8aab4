"""The on-call panels: who is on call now and next (every role's home page, and the
hotline screen: ``hotline_panel``), and the coverage gaps (the PM's home page)."""

from __future__ import annotations

import datetime as dt

from weibao.contracts.access import can
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.oncall import coverage, handovers, services


def now_panel(contract, user, inputs=None, at=None) -> dict | None:
    """The "who is on call now and next" panel, or None when ``user`` may not see it.
    The hotline screen includes ``panel.template`` with ``panel`` (the agent must know
    whom to call)."""
    if contract is None or not can(user, contract.pk, Capability.VIEW_ONCALL):
        return None
    return {
        "template": "oncall/home_now.html", "now_rows": services.now_and_next(contract, at, inputs),
        # Staff phones for whoever must reach the on-call person: the vendor team and the
        # bureau liaison, not the bureau's viewers or the auditor.
        "show_phones": can(user, contract.pk, Capability.REVEAL_PERSONAL_DATA),
    }


def hotline_panel(request, contract) -> dict | None:
    return now_panel(contract, request.user)


def panels(request, contract) -> list[dict]:
    out = []
    manages = contract is not None and can(request.user, contract.pk, Capability.MANAGE_ONCALL)
    # Both panels from one read of the rosters (the PM sees both).
    at = clock.now()
    ahead = dt.timedelta(days=coverage.DEFAULT_DAYS)
    inputs = services.inputs_around(contract, at, ahead) if manages else None
    now = now_panel(contract, request.user, inputs, at)
    if now is not None:
        out.append(now)
    if manages:
        out.append({
            "template": "oncall/home_gaps.html", "report": coverage.gap_report(contract, at=at, inputs=inputs),
            "unacknowledged": list(handovers.unacknowledged(contract)),
        })
    return out
