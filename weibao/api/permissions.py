"""The access layer's declarations, enforced at the API's door."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from weibao.contracts.access import contract_ids_where


def declared_capabilities(view) -> tuple[str, ...]:
    """What ``view`` declares for this request: per action on a viewset, per method or
    for every method on a plain API view (see ``contracts.access.requires``)."""
    table = getattr(view, "required_capabilities", None)
    if not table:
        return ()
    if isinstance(table, dict):
        key = getattr(view, "action", None) or view.request.method.lower()
        return tuple(table.get(key, ()))
    return tuple(table)


class HoldsDeclaredCapability(BasePermission):
    """A write by someone who holds the declared capability on none of their contracts is
    refused (403) before its body is read, as the page refuses them; which contract the
    body names is then the serializer's question (another contract looks non-existent)."""

    message = _("您没有权限进行此操作。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if getattr(request.user, "admin_role", None):
            # Administrators hold no contract role (decision 0012): what they may do is
            # their role's, checked by the endpoint itself (e.g. loading a national notice).
            return True
        capabilities = declared_capabilities(view)
        return not capabilities or any(contract_ids_where(request.user, cap) for cap in capabilities)
