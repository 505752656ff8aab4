"""TOTP second factor (RFC 6238): required for the three administrator roles."""

from __future__ import annotations

import pyotp
from django.conf import settings

from weibao import audit
from weibao.accounts.models import User
from weibao.core import clock

ISSUER = "Weibao 维保"


def is_required(user: User) -> bool:
    """Administrators must use a second factor (GB/T 22239-2019 8.1.4.1 d)."""
    if user.admin_role is None:
        return False
    return not settings.WEIBAO_DEMO_RELAX_2FA


def is_needed_at_login(user: User) -> bool:
    return user.totp_enabled or is_required(user)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def verify(user: User, code: str, secret: str | None = None) -> bool:
    """Check a 6-digit code against the user's secret; a code is accepted only once."""
    secret = secret or user.totp_secret
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    at = clock.now()
    for drift in (0, -1, 1):
        step = int(at.timestamp()) // 30 + drift
        if totp.at(step * 30) == code:
            if step <= user.totp_last_step:
                return False  # replay of a code already used
            user.totp_last_step = step
            user.save(update_fields=["totp_last_step"])
            return True
    return False


def enable(user: User, secret: str, code: str) -> bool:
    if not verify(user, code, secret=secret):
        audit.record("mfa.enable_failed", obj=user, outcome="failure")
        return False
    user.totp_secret = secret
    user.totp_enabled = True
    user.save(update_fields=["totp_secret", "totp_enabled"])
    audit.record("mfa.enabled", obj=user)
    return True


def disable(user: User, *, by: User) -> None:
    user.totp_secret = ""
    user.totp_enabled = False
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    audit.record("mfa.disabled", obj=user, actor=by)
