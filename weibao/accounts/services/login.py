"""Password login with lockout (等保 2.0 三级: 5 failures lock the account for 10 minutes).

Used by the web login form and by API token creation alike. Failures are counted per
username whether or not the account exists, so the answers never reveal which
usernames exist.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate

from weibao import audit
from weibao.accounts.models import LoginThrottle, User
from weibao.core import clock


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
    from weibao.core.ratelimit import client_ip

    return f"login-failures:{client_ip(request)}"


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


def check_password_login(username: str, password: str, *, channel: str, request=None) -> LoginResult:
    """Check a username and password; count failures; lock after too many."""
    from weibao.core import ratelimit

    username = (username or "").strip()
    now = clock.now()
    address = _address_key(request)
    address_limit = settings.WEIBAO_LOGIN_ADDRESS_FAILURES
    if address and ratelimit.over(address, limit=address_limit, window=ADDRESS_WINDOW):
        audit.record(
            "login.refused_address",
            outcome="denied",
            actor_username=username,
            detail={"channel": channel, "limit": address_limit},
        )
        return LoginResult(None, LoginError.ADDRESS_LIMITED)
    throttle = _throttle_for(username)
    if throttle.locked_until and throttle.locked_until > now:
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
            ratelimit.hit(address, limit=address_limit, window=ADDRESS_WINDOW)
        throttle.failures += 1
        throttle.last_failure_at = now
        locked = throttle.failures >= settings.WEIBAO_LOCKOUT_THRESHOLD
        if locked:
            throttle.locked_until = now + timedelta(minutes=settings.WEIBAO_LOCKOUT_MINUTES)
            throttle.failures = 0
        throttle.save()
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
            return LoginResult(None, LoginError.LOCKED, throttle.locked_until)
        return LoginResult(None, LoginError.INVALID)

    if throttle.failures or throttle.locked_until:
        throttle.failures = 0
        throttle.locked_until = None
        throttle.save()
    return LoginResult(user)


def unlock(username: str, *, by: User) -> None:
    """A security administrator lifts a lockout early."""
    LoginThrottle.objects.filter(username=username.strip().lower()).update(
        failures=0, locked_until=None
    )
    audit.record("login.unlocked", actor=by, detail={"username": username})


def count_otp_failure(user: User) -> bool:
    """A wrong second-factor code counts like a wrong password. True if now locked."""
    throttle = _throttle_for(user.get_username())
    now = clock.now()
    throttle.failures += 1
    throttle.last_failure_at = now
    locked = throttle.failures >= settings.WEIBAO_LOCKOUT_THRESHOLD
    if locked:
        throttle.locked_until = now + timedelta(minutes=settings.WEIBAO_LOCKOUT_MINUTES)
        throttle.failures = 0
        audit.record(
            "login.locked",
            outcome="denied",
            actor=user,
            detail={"channel": "otp", "locked_until": throttle.locked_until},
        )
    throttle.save()
    return locked
