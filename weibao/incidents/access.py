"""Who may do what with incidents, integrations, plans and drills: load-and-check helpers
for the pages and the API (404 for what the user cannot see, 403 without the capability)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from weibao.contracts.access import contract_ids_where, require
from weibao.contracts.roles import Capability
from weibao.incidents.models import (
    ChecklistItem,
    Drill,
    EmergencyPlan,
    Incident,
    Integration,
    ReportingDuty,
)


def incident_for(user, pk, capability: str = Capability.VIEW_INCIDENTS) -> Incident:
    incident = get_object_or_404(
        Incident.objects.restrict(user, Capability.VIEW_INCIDENTS).select_related("component", "acknowledged_by"), pk=pk
    )
    require(user, incident.contract_id, capability)
    return incident


def integration_for(user, pk) -> Integration:
    """Integrations (their secret URLs) are seen only by those who manage them."""
    return get_object_or_404(Integration.objects.restrict(user, Capability.MANAGE_INCIDENTS), pk=pk)


def plan_for(user, pk, capability: str = Capability.VIEW_INCIDENTS) -> EmergencyPlan:
    plan = get_object_or_404(EmergencyPlan.objects.restrict(user, Capability.VIEW_INCIDENTS), pk=pk)
    require(user, plan.contract_id, capability)
    return plan


def drill_for(user, pk, capability: str = Capability.VIEW_INCIDENTS) -> Drill:
    drill = get_object_or_404(Drill.objects.restrict(user, Capability.VIEW_INCIDENTS).select_related("plan"), pk=pk)
    require(user, drill.contract_id, capability)
    return drill


def duty_for(user, incident: Incident, pk) -> ReportingDuty:
    return get_object_or_404(ReportingDuty.objects.filter(incident=incident), pk=pk)


def checklist_item_for(user, pk) -> ChecklistItem:
    """A checklist item of an incident or a drill ``user`` may work on."""
    item = get_object_or_404(ChecklistItem.objects.select_related("incident", "drill"), pk=pk)
    owner = item.incident or item.drill
    visible = contract_ids_where(user, Capability.VIEW_INCIDENTS)
    if owner.contract_id not in visible:
        raise Http404
    require(user, owner.contract_id, Capability.WORK_INCIDENTS)
    return item
