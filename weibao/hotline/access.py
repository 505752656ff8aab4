"""Who may use the hotline screen: the contract chosen, once the user may log calls on it
(the vendor's team). The screen's pages and the hotline services ask the same question."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from weibao.contracts.access import require
from weibao.contracts.roles import Capability


def hotline_contract(user, contract):
    """``contract`` (the one chosen in the header) once ``user`` may log calls on it."""
    if contract is None:
        raise PermissionDenied(_("您没有权限进行此操作。"))
    require(user, contract.pk, Capability.LOG_CALLS)
    return contract
