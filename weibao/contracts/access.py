"""Who may do what on a contract: the one place that answers it, for pages, APIs, services
and tasks alike (decision 0015).

A user's capabilities on a contract come from their active roles there
(``contracts.roles.CAPABILITIES``); the three administrators have none (decision 0012).
Each app's ``access.py`` builds its load-and-check helpers on these
(``servicedesk.access.ticket_for(user, pk, Capability.WORK_TICKETS)``), and its services
call ``require`` themselves, so a new caller cannot forget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from weibao.contracts.models import Contract, Membership
from weibao.contracts.roles import roles_with
from weibao.core import request_context

_MEMO_KEY = "contracts.memberships"
_CONTRACTS_KEY = "contracts.contracts"


def memberships_of(user) -> dict[int, frozenset[str]]:
    """``{contract_id: roles}`` of ``user``'s active memberships; one query per request (or
    ``request_context.unit_of_work``), which also reads the contracts themselves
    (``contracts_of``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    ctx = request_context.current()
    cache = ctx.memo.setdefault(_MEMO_KEY, {}) if ctx.memoises else None
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    found: dict[int, set[str]] = {}
    contracts: dict[int, Contract] = {}
    for membership in Membership.objects.active_with_contracts(user):
        found.setdefault(membership.contract_id, set()).add(membership.role)
        contracts[membership.contract_id] = membership.contract
    answer = {contract_id: frozenset(roles) for contract_id, roles in found.items()}
    if cache is not None:
        cache[user.pk] = answer
        ctx.memo.setdefault(_CONTRACTS_KEY, {})[user.pk] = sorted(contracts.values(), key=lambda c: c.number)
    return answer


def contracts_of(user) -> list[Contract]:
    """The contracts of ``user``'s active memberships, by number: within a request, read
    by the same query as the memberships (the switcher and the current contract need no
    query of their own)."""
    ids = memberships_of(user)
    found = _contracts_read(user)
    if found is None:
        return list(Contract.objects.filter(pk__in=list(ids)).order_by("number")) if ids else []
    return found


def contracts_in_hand(user) -> dict[int, Contract] | None:
    """``user``'s contracts by id as this request reads them with their memberships (read
    now if not yet: the same one query), or None outside a request: a page that loads a
    ticket need not join its contract again."""
    memberships_of(user)
    found = _contracts_read(user)
    return None if found is None else {contract.pk: contract for contract in found}


def _contracts_read(user) -> list[Contract] | None:
    return request_context.current().memo.get(_CONTRACTS_KEY, {}).get(getattr(user, "pk", None))


def forget_memberships(user) -> None:
    """After a membership of ``user`` changed within this request."""
    memo = request_context.current().memo
    for key in (_MEMO_KEY, _CONTRACTS_KEY):
        memo.get(key, {}).pop(getattr(user, "pk", None), None)


def roles_on(user, contract_id: int | None) -> frozenset[str]:
    return memberships_of(user).get(contract_id, frozenset()) if contract_id else frozenset()


def can(user, contract_id: int | None, capability: str) -> bool:
    """Whether ``user`` holds ``capability`` on the contract. ``user`` None is the system
    itself (a task, the mail poller): services treat it as allowed, see ``require``."""
    return bool(roles_on(user, contract_id) & roles_with(capability))


def require(user, contract_id: int | None, capability: str, message: str | None = None) -> None:
    """Refuse (PermissionDenied) unless ``user`` holds ``capability`` on the contract.

    ``user`` None means Weibao acting on its own (a scheduled task, mail threading a
    reply): a service that takes ``by=None`` for that passes it through here unchecked.
    """
    if user is None:
        return
    if not can(user, contract_id, capability):
        raise PermissionDenied(message or _("您没有权限进行此操作。"))


def contract_ids_where(user, capability: str) -> list[int]:
    """The contracts on which ``user`` holds ``capability``."""
    wanted = roles_with(capability)
    return sorted(cid for cid, roles in memberships_of(user).items() if roles & wanted)


def contract_for(user, contract, capability: str, message: str | None = None):
    """``contract`` (the one chosen in the page header, or asked for) once ``user`` holds
    ``capability`` on it: PermissionDenied otherwise, and when no contract is chosen.

    ``message`` replaces both refusals' text; without it, no contract asks for one to be
    chosen and a missing capability is the usual refusal."""
    if contract is None:
        raise PermissionDenied(message or _("请先在页头选择合同。"))
    require(user, contract.pk, capability, message)
    return contract


def require_anywhere(user, capability: str, message: str | None = None) -> None:
    """Refuse (PermissionDenied) a user who holds ``capability`` on no contract: a list,
    or a create before any contract is named."""
    if user is not None and not contract_ids_where(user, capability):
        raise PermissionDenied(message or _("您没有权限进行此操作。"))


def any_contract_where(user, roles: Iterable[str]) -> list[int]:
    wanted = frozenset(roles)
    return sorted(cid for cid, held in memberships_of(user).items() if held & wanted)


# --- declarations read by the generated permission matrix (tests/security/test_permissions.py)

def requires(*capabilities: str) -> Callable:
    """Declare which capability a view needs (its load-and-check helper enforces it): a
    route without a declaration fails the permission matrix test."""

    def mark(view):
        view.required_capabilities = tuple(capabilities)
        return view

    return mark


def administrators(*roles: str) -> Callable:
    """Declare a view for the platform's administrators (``accounts.roles.AdminRole``):
    they hold no contract role (decision 0012), so no capability names them and the view
    checks the role itself. To the permission matrix it lies outside the contract roles."""

    def mark(view):
        view.admin_roles = tuple(roles)
        view.public_reason = "administrators only: " + ", ".join(roles)
        return view

    return mark
