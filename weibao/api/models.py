"""API tokens. Only a hash is stored; the token itself is shown once, at creation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core import clock

TOKEN_PREFIX = "wb_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:
        """A new token for ``user`` that expires after WEIBAO_API_TOKEN_LIFETIME_DAYS."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = clock.now()
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_token(raw),
            key_prefix=raw[:10],
            created_at=now,
            expires_at=now + timedelta(days=settings.WEIBAO_API_TOKEN_LIFETIME_DAYS),
        )
        return token, raw

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > clock.now()

    @property
    def is_expired(self) -> bool:
        return self.revoked_at is None and not self.is_usable
