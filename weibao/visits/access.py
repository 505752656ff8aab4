"""Who may do what with a visit (现场服务): load-and-check helpers for the pages, and the
signing and confirming rules the services apply themselves."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from weibao.contracts.access import can, require, roles_on
from weibao.contracts.roles import BUREAU_ROLES, Capability
from weibao.visits.models import Visit


def visit_for(user, pk, capability: str = Capability.VIEW_TICKETS) -> Visit:
    """A visit ``user`` sees (404 otherwise) on which they hold ``capability`` (403)."""
    visit = get_object_or_404(
        Visit.objects.restrict(user, Capability.VIEW_TICKETS).select_related("engineer", "ticket"), pk=pk
    )
    require(user, visit.contract_id, capability)
    return visit


def may_go_on_site(user, contract_id: int) -> bool:
    """Clause 十一.4: only the contract's own vendor team is sent on site, and of it only
    who does the work (TAKE_WORK: the engineers and the PM, not the hotline agent)."""
    return user is not None and can(user, contract_id, Capability.TAKE_WORK)


def may_sign_outside_the_day(user, contract_id: int) -> bool:
    """Whether ``user`` may record a check-in outside the visit's planned day (with a
    reason): the project manager."""
    return can(user, contract_id, Capability.SIGN_VISITS_FOR_ENGINEER)


def signing_role(visit: Visit, user) -> str | None:
    """How ``user`` may sign a visit in or out: "engineer" (the visit's own), "manager"
    (the project manager, with a reason), or None."""
    if not can(user, visit.contract_id, Capability.SIGN_VISITS):
        return None
    if user.pk == visit.engineer_id:
        return "engineer"
    if can(user, visit.contract_id, Capability.SIGN_VISITS_FOR_ENGINEER):
        return "manager"
    return None


def confirms_as(visit: Visit, user) -> str | None:
    """Whose confirmation ``user``'s is: the bureau's own, or the requester's recorded on
    their behalf by the vendor team; None when ``user`` may not confirm."""
    if not can(user, visit.contract_id, Capability.CONFIRM_VISITS):
        return None
    if roles_on(user, visit.contract_id) & BUREAU_ROLES:
        return Visit.ConfirmationKind.BUREAU
    return Visit.ConfirmationKind.ON_BEHALF
