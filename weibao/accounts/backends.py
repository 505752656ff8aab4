"""Signing in with a password, and the signed-in user read back on each request."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from weibao.accounts.models import User


class UserBackend(ModelBackend):
    """Django's own backend, reading the user's administrator role with the user: every
    page's navigation asks for it, and it would otherwise cost a query per request."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("admin_role_grant").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
