"""The contract the user is working in (the contract switcher), checked against membership."""

from __future__ import annotations

from weibao.contracts.access import contracts_of
from weibao.contracts.models import Contract

SESSION_KEY = "weibao_contract_id"


def _current_contract(request) -> tuple[Contract | None, list[Contract]]:
    """The current contract and all of the user's, by number (the switcher every page
    shows): read with the user's memberships, no query of their own."""
    user = request.user
    if not user.is_authenticated:
        return None, []
    contracts = contracts_of(user)
    by_pk = {contract.pk: contract for contract in contracts}
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    for candidate in (wanted, user.preferred_contract_id):
        try:
            contract = by_pk.get(int(candidate)) if candidate is not None else None
        except (TypeError, ValueError):
            contract = None
        if contract is not None:
            return contract, contracts
    return (contracts[0] if contracts else None), contracts


class CurrentContractMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Resolved eagerly: a lazy proxy of ``None`` would not compare ``is None``.
        request.contract, request.user_contracts = _current_contract(request)
        return self.get_response(request)
