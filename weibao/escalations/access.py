"""Who may see, acknowledge and configure escalations: load-and-check helpers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.escalations.models import Escalation, EscalationPolicy


def escalation_for(user, pk, capability: str = Capability.VIEW_ESCALATIONS) -> Escalation:
    """A run ``user`` may see (404 otherwise) on which they hold ``capability`` (403)."""
    run = get_object_or_404(
        Escalation.objects.restrict(user, Capability.VIEW_ESCALATIONS).select_related("policy"), pk=pk
    )
    require(user, run.contract_id, capability)
    return run


def policy_for(user, pk, capability: str = Capability.MANAGE_ESCALATIONS) -> EscalationPolicy:
    policy = get_object_or_404(EscalationPolicy.objects.restrict(user, Capability.VIEW_ESCALATIONS), pk=pk)
    require(user, policy.contract_id, capability)
    return policy


def runs_for_item(user, object_type: str, object_id) -> list[Escalation]:
    return list(
        Escalation.objects.restrict(user, Capability.VIEW_ESCALATIONS)
        .filter(object_type=object_type, object_id=str(object_id))
        .select_related("policy").prefetch_related("entries")
    )
