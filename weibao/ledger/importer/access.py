"""Who may import a contract from its text: a project manager (``contract.import`` on any
of their contracts: the new contract has no members yet) or the platform's system
administrator, who creates contracts in the Django admin already (decision 0020)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from weibao.contracts.access import contract_ids_where
from weibao.contracts.roles import Capability


def may_import(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if getattr(user, "is_system_admin", False):
        return True
    return bool(contract_ids_where(user, Capability.IMPORT_CONTRACT))


def require_import(user) -> None:
    """Refuse (PermissionDenied) unless ``user`` may import contracts. ``None`` is Weibao
    itself (a script loading contracts), let through as ``contracts.access.require`` does."""
    if user is None:
        return
    if not may_import(user):
        raise PermissionDenied(_("只有项目经理或系统管理员可以从合同文本导入合同。"))
