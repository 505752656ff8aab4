"""Signing in with a password, and the signed-in user read back on each request."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from weibao.accounts.models import User
from weibao.core.statements import Statement


class UserBackend(ModelBackend):
    """Django's own backend, reading the user's administrator role with the user: every
    page's navigation asks for it, and it would otherwise cost a query per request."""

    def get_user(self, user_id):
        found = _USER_WITH_GRANT.objects(user_id)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


# Every request reads its user: compiled once (core.statements, decision 0034).
_USER_WITH_GRANT = Statement(lambda user_id: User._default_manager.select_related("admin_role_grant").filter(pk=user_id))
