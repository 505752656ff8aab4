"""``Authorization: Bearer <token>`` authentication for the REST API."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from weibao.accounts.middleware import session_is_verified
from weibao.accounts.services.passwords import password_expired
from weibao.api.models import ApiToken, hash_token
from weibao.core import clock
from weibao.core.statements import Statement

# Every API request asks: compiled once (core.statements), the user and their grant read
# along. Revocation and expiry are the token's own rule (``is_usable``), checked on the row.
_TOKEN_BY_HASH = Statement(
    lambda key_hash: ApiToken.objects.select_related("user", "user__admin_role_grant").filter(key_hash=key_hash),
    texts=("key_hash",),
)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() not in {"bearer", "token"}:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为 “Bearer <令牌>”。"))
        found = _TOKEN_BY_HASH.objects(hash_token(parts[1]))
        token = found[0] if found else None
        if token is None or not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已被撤销。"))
        if password_expired(token.user):
            raise exceptions.AuthenticationFailed(_("密码已过期，请先登录网页修改密码。"))
        now = clock.now()
        # Touch at most once a minute: a write per request would serialise SQLite.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.api_token = token
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "weibao.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """Browser sessions count for the API only once every login step is done: the second
    factor verified and the password not expired (the idle timeout is the middleware's)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        if not session_is_verified(request._request) or password_expired(result[0]):
            return None
        return result


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "weibao.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
