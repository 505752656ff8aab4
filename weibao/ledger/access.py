"""Who may see and do what in the contract ledger: load-and-check helpers for pages and
the API. Another contract's record answers 404, as if it did not exist; a contract the
user sees but lacks the capability on answers 403."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from weibao.contracts.access import require
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability


def load_contract(user, pk, capability: str = Capability.VIEW_LEDGER) -> Contract:
    """A contract ``user`` is a member of (404 otherwise) on which they hold ``capability`` (403)."""
    contract = get_object_or_404(Contract.objects.for_user(user), pk=pk)
    require(user, contract.pk, capability)
    return contract


def record_for(user, model, pk, capability: str = Capability.VIEW_LEDGER):
    """A ledger record of a contract ``user`` is a member of (404) with ``capability`` (403)."""
    row = get_object_or_404(model.objects.for_user(user), pk=pk)
    require(user, row.contract_id, capability)
    return row
