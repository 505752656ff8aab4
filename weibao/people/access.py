"""Who may do what with the team register and training: load-and-check helpers for the
pages and the API (404 for a row the user does not see, 403 without the capability)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.people.models import (
    AssignmentOverride,
    ConfidentialityAgreement,
    InsurancePolicy,
    Qualification,
    StaffProfile,
    TrainingPlan,
    TrainingSession,
)


def _load(model, user, pk, capability: str, see: str, **related):
    row = get_object_or_404(model.objects.restrict(user, see).select_related(*related.get("related", ())), pk=pk)
    require(user, row.contract_id, capability)
    return row


def profile_for(user, pk, capability: str = Capability.VIEW_TEAM) -> StaffProfile:
    return _load(StaffProfile, user, pk, capability, Capability.VIEW_TEAM, related=("user", "contract"))


def scan_for(user, kind: str, pk):
    """A policy, agreement or certificate whose scan ``user`` may download."""
    model = {"policy": InsurancePolicy, "agreement": ConfidentialityAgreement, "qualification": Qualification}[kind]
    return _load(model, user, pk, Capability.VIEW_STAFF_RECORDS, Capability.VIEW_TEAM)


def override_for(user, pk) -> AssignmentOverride:
    return _load(AssignmentOverride, user, pk, Capability.OVERRIDE_ASSIGNMENT, Capability.VIEW_TEAM)


def plan_for(user, pk, capability: str = Capability.VIEW_TRAINING) -> TrainingPlan:
    return _load(TrainingPlan, user, pk, capability, Capability.VIEW_TRAINING)


def session_for(user, pk, capability: str = Capability.VIEW_TRAINING) -> TrainingSession:
    return _load(TrainingSession, user, pk, capability, Capability.VIEW_TRAINING, related=("plan", "contract"))
