"""Login, second factor, logout, password change and the user's security page."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from weibao import audit
from weibao.accounts.forms import LoginForm, OtpForm, PasswordChangeForm
from weibao.accounts.middleware import LAST_SEEN_KEY, OTP_VERIFIED_KEY
from weibao.accounts.sections import security_sections
from weibao.accounts.services import second_factor
from weibao.accounts.services.login import (
    ADDRESS_WINDOW_MINUTES,
    LoginError,
    check_password_login,
    count_otp_failure,
)
from weibao.accounts.services.passwords import set_password
from weibao.core import clock
from weibao.core.declarations import public
from weibao.core.params import parse_next

PENDING_SECRET_KEY = "weibao_pending_totp_secret"


def _safe_next(request, default: str = "/") -> str:
    return parse_next(request.POST.get("next") or request.GET.get("next"), request, default)


@public("the login page: anyone, before signing in")
@never_cache
@csrf_protect
def login_view(request):
    if request.user.is_authenticated and request.session.get(OTP_VERIFIED_KEY, True):
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        result = check_password_login(
            form.cleaned_data["username"],
            form.cleaned_data["password"],
            channel="web",
            request=request,
        )
        if result.ok:
            user = result.user
            login(request, user, backend="weibao.accounts.backends.UserBackend")
            request.session[LAST_SEEN_KEY] = clock.now().timestamp()
            needs_otp = second_factor.is_needed_at_login(user)
            request.session[OTP_VERIFIED_KEY] = not needs_otp
            if needs_otp:
                audit.record("login.password_ok", actor=user, obj=user, detail={"otp": "pending"})
                target = "accounts:otp_verify" if user.totp_enabled else "accounts:otp_setup"
                response = redirect(target)
                request.session["weibao_after_otp"] = _safe_next(request)
                return response
            audit.record("login", actor=user, obj=user, detail={"channel": "web"})
            return redirect(_safe_next(request))
        if result.error is LoginError.ADDRESS_LIMITED:
            error = _(
                "此地址登录失败次数过多，请 %(m)d 分钟后再试。已启用双因素认证的账号输入正确密码后仍可继续登录。"
            ) % {"m": ADDRESS_WINDOW_MINUTES}
            status = 429
        elif result.error is LoginError.LOCKED:
            error = _("登录失败次数过多，账号已被临时锁定，请 %(m)d 分钟后再试。") % {
                "m": settings.WEIBAO_LOCKOUT_MINUTES
            }
        else:
            error = _("用户名或密码不正确。")
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "error": error,
            "next": _safe_next(request, ""),
            "demo_mode": settings.DEMO,
            "demo_relaxed_2fa": settings.WEIBAO_DEMO_RELAX_2FA,
        },
        status=status,
    )


def _finish_otp(request, user):
    request.session[OTP_VERIFIED_KEY] = True
    audit.record("login", actor=user, obj=user, detail={"channel": "web", "otp": "verified"})
    return redirect(request.session.pop("weibao_after_otp", "/"))


@public("own account: the signed-in user's second factor")
@never_cache
@login_required
def otp_verify(request):
    user = request.user
    if request.session.get(OTP_VERIFIED_KEY):
        return redirect("/")
    if not user.totp_enabled:
        return redirect("accounts:otp_setup")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(user, form.cleaned_data["code"]):
            return _finish_otp(request, user)
        locked = count_otp_failure(user)
        audit.record("login.otp_failed", actor=user, obj=user, outcome="failure")
        if locked:
            logout(request)
            messages.error(request, _("验证码错误次数过多，账号已被临时锁定。"))
            return redirect("accounts:login")
        form.add_error("code", _("验证码不正确或已使用，请输入身份验证器中的最新验证码。"))
    return render(request, "accounts/otp_verify.html", {"form": form})


@public("own account: the signed-in user's second factor")
@never_cache
@login_required
def otp_setup(request):
    user = request.user
    if user.totp_enabled and not request.session.get(OTP_VERIFIED_KEY):
        return redirect("accounts:otp_verify")
    secret = request.session.get(PENDING_SECRET_KEY)
    if not secret:
        secret = second_factor.new_secret()
        request.session[PENDING_SECRET_KEY] = secret
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.enable(
            user, secret, form.cleaned_data["code"], current_code=request.POST.get("current_code", "")
        ):
            request.session.pop(PENDING_SECRET_KEY, None)
            messages.success(request, _("双因素认证已启用。"))
            return _finish_otp(request, user)
        if user.totp_enabled:
            count_otp_failure(user)
            form.add_error("code", _("请同时输入当前身份验证器和新身份验证器的验证码；其中有不正确的。"))
        else:
            form.add_error("code", _("验证码不正确，请确认手机时间准确后重试。"))
    uri = second_factor.provisioning_uri(user, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "secret": secret,
            "qr_svg": qr_svg,
            "required": second_factor.is_required(user),
            "replacing": user.totp_enabled,
        },
    )


@public("own session: anyone may sign out")
@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


@public("own session: the signed-in user keeps their own session alive")
@never_cache
@require_POST
def stay_signed_in(request):
    """保持登录, the idle warning's button: the session's idle period starts again now.

    Too late is too late: IdleTimeoutMiddleware has already ended an idle session before
    this runs (a redirect to the login page), and without a session this answers 401.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("您已退出，请重新登录。")}, status=401)
    request.session[LAST_SEEN_KEY] = clock.now().timestamp()
    return JsonResponse({"idle_seconds": settings.WEIBAO_IDLE_TIMEOUT_MINUTES * 60})


@public("own account: the signed-in user's password")
@never_cache
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        set_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改。"))
        return redirect("accounts:security")
    if form.locked:  # as after too many wrong codes: the locked account's session ends too
        logout(request)
        messages.error(request, form.errors["old_password"][0])
        return redirect("accounts:login")
    return render(request, "accounts/password_change.html", {"form": form})


@public("own account: the signed-in user's sessions, tokens and login history")
@never_cache
@login_required
def security(request):
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "disable_otp":
            if second_factor.disable(user, request.POST.get("code", ""), by=user):
                messages.success(request, _("双因素认证已关闭。"))
            else:
                count_otp_failure(user)
                messages.error(request, _("动态验证码：不正确或已使用，双因素认证未关闭。"))
        return redirect("accounts:security")
    return render(
        request,
        "accounts/security.html",
        {
            "sections": security_sections(request),
            "otp_required": second_factor.is_required(user),
        },
    )
