"""Who may do what with changes and data-access requests: load-and-check helpers for the
pages and the API (404 for a row the user does not see, 403 without the capability)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from weibao.contracts.access import require
from weibao.contracts.roles import Capability

from .models import ChangeRequest, DataAccessRequest, StandardChangeTemplate


def change_for(user, pk, capability: str = Capability.VIEW_CHANGES, message: str | None = None) -> ChangeRequest:
    change = get_object_or_404(
        ChangeRequest.objects.restrict(user, Capability.VIEW_CHANGES)
        .select_related("contract", "implementer", "requested_by", "template", "data_access")
        .prefetch_related("approvals__by", "components", "tickets"),
        pk=pk,
    )
    require(user, change.contract_id, capability, message)
    return change


def data_access_for(user, pk, capability: str = Capability.VIEW_DATA_ACCESS, message: str | None = None) -> DataAccessRequest:
    row = get_object_or_404(
        DataAccessRequest.objects.restrict(user, Capability.VIEW_DATA_ACCESS).select_related("contract", "requested_by"),
        pk=pk,
    )
    require(user, row.contract_id, capability, message)
    return row


def template_for(user, pk, capability: str) -> StandardChangeTemplate:
    row = get_object_or_404(StandardChangeTemplate.objects.restrict(user, Capability.VIEW_CHANGES), pk=pk)
    require(user, row.contract_id, capability)
    return row
