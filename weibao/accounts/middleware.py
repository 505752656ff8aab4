"""Session security: idle timeout, second factor, password expiry.

Each rule names exactly the pages it lets through (login, logout, the OTP pages, and for
an expired password the change page); everything else under every prefix obeys it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao import audit
from weibao.accounts.services import second_factor
from weibao.accounts.services.passwords import password_expired
from weibao.core import clock
from weibao.core.params import parse_next

LAST_SEEN_KEY = "weibao_last_seen"
OTP_VERIFIED_KEY = "weibao_otp_verified"
# Infrastructure that carries no user data and needs no session rules.
INFRASTRUCTURE_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics", "/i18n/")
API_PREFIX = "/api/"
# "Last seen" is written at most once a minute: idle time is measured in minutes, and a
# session write on every request that changes nothing costs an UPDATE (and on SQLite the
# write lock) for nothing. The idle warning allows for this lag (web.context_processors).
LAST_SEEN_RESOLUTION_SECONDS = 60


@cache
def _pages(*names: str) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


def pre_second_factor_pages() -> frozenset[str]:
    """What a session whose second factor is pending may reach: nothing else."""
    return _pages("accounts:login", "accounts:logout", "accounts:otp_verify", "accounts:otp_setup")


def expired_password_pages() -> frozenset[str]:
    """What a user whose password has expired may reach before changing it."""
    return pre_second_factor_pages() | _pages("accounts:password_change")


def _infrastructure(request) -> bool:
    return request.path.startswith(INFRASTRUCTURE_PREFIXES)


def session_is_verified(request) -> bool:
    """Whether this browser session has passed every login step it needs."""
    user = request.user
    if not user.is_authenticated:
        return False
    return bool(request.session.get(OTP_VERIFIED_KEY)) or not second_factor.is_needed_at_login(user)


class IdleTimeoutMiddleware:
    """Logs a browser session out after WEIBAO_IDLE_TIMEOUT_MINUTES without a request.

    API calls made with the session cookie obey the same rule and keep the same "last
    seen"; a bearer token is not a session and is not touched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _infrastructure(request):
            now = clock.now().timestamp()
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = timedelta(minutes=settings.WEIBAO_IDLE_TIMEOUT_MINUTES).total_seconds()
            if last_seen is not None and now - last_seen > limit:
                audit.record("session.idle_timeout", actor=user, obj=user)
                logout(request)
                # Said on the next page shown, whichever request found the session idle.
                messages.info(request, _("您已长时间未操作，为保护账号安全已自动退出，请重新登录。"))
                if request.path.startswith(API_PREFIX):
                    # The API answers for an anonymous caller (401) or the bearer token.
                    return self.get_response(request)
                if request.headers.get("HX-Request") == "true":
                    return _whole_page_to_login(request)
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _whole_page_to_login(request) -> HttpResponse:
    """An htmx request (a suggestion fetched as the agent types) that finds the session
    idle: the whole page goes to the login form, back to the page afterwards. A plain
    redirect would be followed by htmx and the login form swapped into the fragment."""
    # The page's own address, absolute in the header: its path and query, then checked
    # as any "next" is (another host's "//…", control characters: back to the home page).
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = parse_next(page.path + (f"?{page.query}" if page.query else ""), request)
    response = HttpResponse(status=200)
    response["HX-Redirect"] = redirect_to_login(back)["Location"]
    return response


class SecondFactorMiddleware:
    """A session whose second factor is pending reaches only the login and OTP pages.

    The API does not count such a session as logged in at all
    (``api.authentication.VerifiedSessionAuthentication``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _infrastructure(request)
            and not request.path.startswith(API_PREFIX)
            and request.path not in pre_second_factor_pages()
            and not session_is_verified(request)
        ):
            if user.totp_enabled:
                return redirect("accounts:otp_verify")
            return redirect("accounts:otp_setup")
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """Sends a user whose password is older than the policy allows to change it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _infrastructure(request)
            and not request.path.startswith(API_PREFIX)
            and request.path not in expired_password_pages()
            and password_expired(user)
        ):
            messages.warning(request, _("您的密码已过期，请先修改密码。"))
            return redirect("accounts:password_change")
        return self.get_response(request)
