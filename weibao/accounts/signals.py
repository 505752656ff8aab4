"""Audit of Django's own auth signals (logout, and password changes through any path)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from weibao import audit


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", actor=user, obj=user)
