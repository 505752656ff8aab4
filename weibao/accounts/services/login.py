"""Password login with lockout (等保 2.0 三级: 5 failures lock the account for 10 minutes).

Used by the web login form and by API token creation alike. Failures are counted per
username whether or not the account exists, so the answers never reveal which
usernames exist. A wrong second-factor code and a wrong current password on the password
page count on the same counter.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate

from weibao import audit
from weibao.accounts.models import LoginThrottle, User
from weibao.accounts.services.passwords import password_expired
from weibao.core import clock, ratelimit


class LoginError(enum.Enum):
    INVALID = "invalid"
    LOCKED = "locked"
    #: Too many failures from one address, across usernames (password spraying).
    ADDRESS_LIMITED = "address_limited"


ADDRESS_WINDOW_MINUTES = 10
ADDRESS_WINDOW = timedelta(minutes=ADDRESS_WINDOW_MINUTES)


def _address_key(request) -> str | None:
    if request is None:
        return None
    return f"login-failures:{ratelimit.client_ip(request)}"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: LoginError | None = None
    locked_until: object = None

    @property
    def ok(self) -> bool:
        return self.user is not None and self.error is None


def _throttle_for(username: str) -> LoginThrottle:
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
        username=username.strip().lower()[:150]
    )
    return throttle


def _is_locked(throttle: LoginThrottle, now: datetime) -> bool:
    return bool(throttle.locked_until and throttle.locked_until > now)


def _count_failure(throttle: LoginThrottle, now: datetime) -> bool:
    """One more failure on the account's counter; True when it now locks (and restarts)."""
    throttle.failures += 1
    throttle.last_failure_at = now
    locked = throttle.failures >= settings.WEIBAO_LOCKOUT_THRESHOLD
    if locked:
        throttle.locked_until = now + timedelta(minutes=settings.WEIBAO_LOCKOUT_MINUTES)
        throttle.failures = 0
    throttle.save()
    return locked


def may_pass_address_limit(user: User) -> bool:
    """Whether a right password for ``user`` may go on to the second factor although the
    client's address is over its failure limit.

    A government office (政务大厅) or a vendor site reaches us from one NAT address, so
    one sprayer or a few colleagues' typos would otherwise shut out everyone behind it.
    An account in good standing passes: active (``authenticate`` already refuses others),
    not locked (checked before), password not expired, and a second factor (TOTP)
    enabled — the code, not the address, is then what stops a guessed password, and its
    failures count on the same lockout. "Logged in from this address before" is not
    enough: a sprayer on a shared address shares that history.
    """
    return user.totp_enabled and not password_expired(user)


def check_password_login(username: str, password: str, *, channel: str, request=None) -> LoginResult:
    """Check a username and password; count failures; lock after too many.

    To an address over its failure limit every refusal looks the same
    (``ADDRESS_LIMITED``): wrong password, right password, locked or unknown account.
    The password is still checked, so that wrong ones keep counting on the account's
    lockout (5 guesses per account and lockout period, as from any address) and on the
    address, and a right one for an account that ``may_pass_address_limit`` goes on to
    the second factor. That one answer differs — it tells the address the password was
    right — which is acceptable only because the account has a second factor; for every
    other account a right password from a limited address is refused exactly like a
    wrong one and is not counted, so the address learns nothing from the answer.
    """
    username = (username or "").strip()
    now = clock.now()
    address = _address_key(request)
    address_limit = settings.WEIBAO_LOGIN_ADDRESS_FAILURES
    limited = bool(address) and ratelimit.over(address, limit=address_limit, window=ADDRESS_WINDOW)

    def refuse_address() -> LoginResult:
        audit.record(
            "login.refused_address",
            outcome="denied",
            actor_username=username,
            detail={"channel": channel, "limit": address_limit},
        )
        return LoginResult(None, LoginError.ADDRESS_LIMITED)

    throttle = _throttle_for(username)
    if _is_locked(throttle, now):
        if limited:
            return refuse_address()
        audit.record(
            "login.refused_locked",
            outcome="denied",
            actor_username=username,
            detail={"channel": channel, "locked_until": throttle.locked_until},
        )
        return LoginResult(None, LoginError.LOCKED, throttle.locked_until)

    user = authenticate(request, username=username, password=password)
    if user is None:
        if address:
            ratelimit.hit(address, limit=address_limit, window=ADDRESS_WINDOW, count_refused=True)
        locked = _count_failure(throttle, now)
        audit.record(
            "login.failed",
            outcome="failure",
            actor_username=username,
            detail={"channel": channel},
        )
        if locked:
            audit.record(
                "login.locked",
                outcome="denied",
                actor_username=username,
                detail={"channel": channel, "locked_until": throttle.locked_until},
            )
        if limited:
            return refuse_address()
        if locked:
            return LoginResult(None, LoginError.LOCKED, throttle.locked_until)
        return LoginResult(None, LoginError.INVALID)

    if limited:
        if not may_pass_address_limit(user):
            return refuse_address()
        audit.record(
            "login.address_limit_passed",
            actor=user,
            obj=user,
            detail={"channel": channel, "limit": address_limit, "otp": "pending"},
        )
    if throttle.failures or throttle.locked_until:
        throttle.failures = 0
        throttle.locked_until = None
        throttle.save()
    return LoginResult(user)


def check_current_password(user: User, password: str) -> LoginError | None:
    """The current password asked again before a sensitive change (the password page).

    A wrong one is audited and counts on the account's lockout exactly as a wrong login
    does (so a borrowed or hijacked session cannot guess it without limit); while the
    account is locked even the right one is refused. None when the password is right.
    """
    throttle = _throttle_for(user.get_username())
    now = clock.now()
    if _is_locked(throttle, now):
        audit.record(
            "password.change_refused_locked",
            outcome="denied",
            actor=user,
            obj=user,
            detail={"locked_until": throttle.locked_until},
        )
        return LoginError.LOCKED
    if user.check_password(password):
        return None
    locked = _count_failure(throttle, now)
    audit.record(
        "password.change_failed", outcome="failure", actor=user, obj=user, detail={"reason": "old_password"}
    )
    if locked:
        audit.record(
            "login.locked",
            outcome="denied",
            actor=user,
            detail={"channel": "password_change", "locked_until": throttle.locked_until},
        )
        return LoginError.LOCKED
    return LoginError.INVALID


def unlock(username: str, *, by: User) -> None:
    """A security administrator lifts a lockout early."""
    LoginThrottle.objects.filter(username=username.strip().lower()).update(
        failures=0, locked_until=None
    )
    audit.record("login.unlocked", actor=by, detail={"username": username})


def count_otp_failure(user: User) -> bool:
    """A wrong second-factor code counts like a wrong password. True if now locked."""
    throttle = _throttle_for(user.get_username())
    locked = _count_failure(throttle, clock.now())
    if locked:
        audit.record(
            "login.locked",
            outcome="denied",
            actor=user,
            detail={"channel": "otp", "locked_until": throttle.locked_until},
        )
    return locked
