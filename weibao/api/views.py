"""Authentication endpoints and the caller's own data."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from weibao import audit
from weibao.accounts.services import second_factor
from weibao.accounts.services.login import (
    ADDRESS_WINDOW_MINUTES,
    LoginError,
    check_password_login,
    count_otp_failure,
)
from weibao.accounts.services.passwords import password_expired
from weibao.api import tokens
from weibao.api.serializers import StrictFieldsMixin
from weibao.contracts.access import memberships_of
from weibao.core import ratelimit


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.CharField(max_length=8, required=False, allow_blank=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TokenThrottle(BaseThrottle):
    """Token requests per client address, counted in the database so the limit holds
    across web processes and restarts (DRF's cache throttle counts per process and keys
    on X-Forwarded-For, which a client writes itself)."""

    window = timedelta(minutes=1)

    def allow_request(self, request, view):
        self.key = f"api-token:{ratelimit.client_ip(request)}"
        return ratelimit.hit(self.key, limit=settings.WEIBAO_TOKEN_REQUESTS_PER_MINUTE, window=self.window)

    def wait(self):
        later = ratelimit.retry_after(self.key, limit=settings.WEIBAO_TOKEN_REQUESTS_PER_MINUTE, window=self.window)
        return max(1, math.ceil(later.total_seconds()))


def _address_limited_message() -> str:
    return _("此地址登录失败次数过多，请 %(m)d 分钟后再试。") % {"m": ADDRESS_WINDOW_MINUTES}


class TokenView(APIView):
    """Exchange a username and password (and a TOTP code for administrators) for a token."""

    public_reason = "signing in: anyone, with a username and password"
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            )
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = check_password_login(
            data.validated_data["username"],
            data.validated_data["password"],
            channel="api",
            request=request,
        )
        if not result.ok:
            if result.error is LoginError.ADDRESS_LIMITED:
                return Response({"detail": _address_limited_message(), "code": "address_limited"}, status=429)
            if result.error is LoginError.LOCKED:
                message = _("登录失败次数过多，账号已被临时锁定，请 %(m)d 分钟后再试。") % {
                    "m": settings.WEIBAO_LOCKOUT_MINUTES
                }
                return Response({"detail": message, "code": "locked"}, status=403)
            return Response(
                {"detail": _("用户名或密码不正确。"), "code": "invalid_credentials"}, status=400
            )
        user = result.user
        if second_factor.is_needed_at_login(user):
            code = data.validated_data.get("otp", "")
            if not user.totp_enabled:
                return Response(
                    {"otp": [_("管理员须先在网页上启用双因素认证。")], "code": "otp_setup_required"},
                    status=400,
                )
            if not second_factor.verify(user, code):

                count_otp_failure(user)
                audit.record("api_token.otp_failed", actor=user, obj=user, outcome="failure")
                return Response({"otp": [_("动态验证码不正确或缺失。")]}, status=400)
        if password_expired(user):
            return Response(
                {"detail": _("密码已过期，请先登录网页修改密码。"), "code": "password_expired"},
                status=403,
            )
        token, raw = tokens.issue(user, name=data.validated_data.get("name", ""))
        return Response({"token": raw, "expires_at": token.expires_at}, status=status.HTTP_201_CREATED)


class RevokeTokenView(APIView):
    public_reason = "own token: revokes only the token the request presents"
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke the bearer token used for this request."""
        token = getattr(request, "api_token", None)
        if token is None:
            return Response(
                {"detail": _("此请求未使用 API 令牌。")}, status=status.HTTP_400_BAD_REQUEST
            )
        tokens.revoke(token, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    admin_role = serializers.CharField(allow_null=True)
    memberships = serializers.ListField(child=serializers.DictField())


class MeView(APIView):
    public_reason = "own account: who the caller is and the roles the access layer gives them"

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        # The roles that give access (an administrator's leftover rows give none, 0012).
        memberships = [
            {"contract": contract_id, "role": role}
            for contract_id, roles in sorted(memberships_of(user).items())
            for role in sorted(roles)
        ]
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "display_name": user.display_name,
                "admin_role": user.admin_role,
                "memberships": memberships,
            }
        )
