"""Session security: idle timeout, second factor, password expiry."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from weibao import audit
from weibao.core import clock

LAST_SEEN_KEY = "weibao_last_seen"
OTP_VERIFIED_KEY = "weibao_otp_verified"
EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics", "/i18n/", "/api/")


def _exempt(request, extra: tuple[str, ...] = ()) -> bool:
    return request.path.startswith(EXEMPT_PREFIXES + extra)


class IdleTimeoutMiddleware:
    """Logs a browser session out after WEIBAO_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _exempt(request):
            now = clock.now().timestamp()
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = timedelta(minutes=settings.WEIBAO_IDLE_TIMEOUT_MINUTES).total_seconds()
            if last_seen is not None and now - last_seen > limit:
                audit.record("session.idle_timeout", actor=user, obj=user)
                logout(request)
                messages.info(request, _("您已长时间未操作，为保护账号安全已自动退出，请重新登录。"))
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """An administrator without a verified second factor can only reach the TOTP pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _exempt(request, ("/accounts/",)):
            from weibao.accounts.services import second_factor

            if second_factor.is_needed_at_login(user) and not request.session.get(
                OTP_VERIFIED_KEY
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
        if user is not None and user.is_authenticated and not _exempt(request, ("/accounts/",)):
            from weibao.accounts.services.passwords import password_expired

            if password_expired(user):
                messages.warning(request, _("您的密码已过期，请先修改密码。"))
                return redirect("accounts:password_change")
        return self.get_response(request)
