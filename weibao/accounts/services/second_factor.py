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


def _matching_step(secret: str, code: str) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not secret or not (code.isascii() and code.isdigit()) or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(clock.now().timestamp()) // 30
    for drift in (0, -1, 1):
        if totp.at((now_step + drift) * 30) == code:
            return now_step + drift
    return None


def verify(user: User, code: str, secret: str | None = None) -> bool:
    """Check a 6-digit code against the user's secret; a code is accepted only once."""
    step = _matching_step(secret or user.totp_secret, code)
    if step is None or step <= user.totp_last_step:
        return False  # wrong, or a replay of a code already used
    user.totp_last_step = step
    user.save(update_fields=["totp_last_step"])
    return True


def enable(user: User, secret: str, code: str, *, current_code: str = "") -> bool:
    """Enrol ``secret`` once ``code`` proves the authenticator has it.

    Re-enrolling replaces a working second factor, so it needs a code of the current one
    too: a password (or an unattended session) alone must not swap the factor.
    """
    if user.totp_enabled and not verify(user, current_code):
        audit.record("mfa.enable_failed", obj=user, outcome="failure", detail={"reason": "current_code"})
        return False
    # A fresh secret has no used codes: the replay mark of the old one does not apply.
    step = _matching_step(secret, code)
    if step is None:
        audit.record("mfa.enable_failed", obj=user, outcome="failure")
        return False
    user.totp_secret = secret
    user.totp_enabled = True
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    audit.record("mfa.enabled", obj=user)
    return True


def disable(user: User, code: str, *, by: User) -> bool:
    """Switch the second factor off; only with a current code of it (not the password
    alone) and never for a user who must have one. False when refused."""
    if is_required(user) or not verify(user, code):
        audit.record("mfa.disable_failed", obj=user, actor=by, outcome="failure")
        return False
    user.totp_secret = ""
    user.totp_enabled = False
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    audit.record("mfa.disabled", obj=user, actor=by)
    return True
