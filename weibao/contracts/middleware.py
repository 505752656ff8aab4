"""The contract the user is working in (the contract switcher), checked against membership."""

from __future__ import annotations

from weibao.contracts.models import Contract

SESSION_KEY = "weibao_contract_id"


def _current_contract(request) -> Contract | None:
    user = request.user
    if not user.is_authenticated:
        return None
    contracts = Contract.objects.for_user(user)
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if wanted is not None:
        contract = contracts.filter(pk=wanted).first()
        if contract is not None:
            return contract
    if user.preferred_contract_id:
        contract = contracts.filter(pk=user.preferred_contract_id).first()
        if contract is not None:
            return contract
    return contracts.order_by("number").first()


class CurrentContractMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Resolved eagerly: a lazy proxy of ``None`` would not compare ``is None``.
        request.contract = _current_contract(request)
        return self.get_response(request)
