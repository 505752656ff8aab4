"""Audit of Django's own auth signals (logout, and password changes through any path)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import Signal, receiver

from weibao import audit


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", actor=user, obj=user)


# Sent when what a user proved at login no longer holds: the password changed, the
# account was deactivated. Higher layers drop what they issued on that proof (API tokens).
# Arguments: ``user``, ``reason`` ("password_changed", "deactivated"), ``by``.
credentials_invalidated = Signal()
