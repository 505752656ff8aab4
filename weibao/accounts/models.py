"""Users, the three administrator roles, and the state behind login security."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.accounts.roles import AdminRole
from weibao.core import clock


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    organisation = models.CharField(_("单位"), max_length=200, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("已启用双因素认证"), default=False)
    totp_last_step = models.BigIntegerField(default=0)  # refuses replay of a used code
    preferred_contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def admin_role(self) -> str | None:
        grant = getattr(self, "admin_role_grant", None)
        return grant.role if grant else None

    def has_admin_role(self, role: str) -> bool:
        return self.is_authenticated and self.admin_role == role

    @property
    def is_system_admin(self) -> bool:
        return self.has_admin_role(AdminRole.SYSTEM_ADMIN)

    @property
    def is_security_admin(self) -> bool:
        return self.has_admin_role(AdminRole.SECURITY_ADMIN)

    @property
    def is_audit_admin(self) -> bool:
        return self.has_admin_role(AdminRole.AUDITOR)


class AdminRoleGrant(models.Model):
    """One of the three administrator roles. One row per user: 三员分立 by construction."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="admin_role_grant")
    role = models.CharField(_("管理员角色"), max_length=32, choices=AdminRole.choices)
    granted_at = models.DateTimeField(default=clock.now)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("管理员角色")
        verbose_name_plural = _("管理员角色")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class PasswordHistory(models.Model):
    """Hashes of earlier passwords, so the last N cannot be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class LoginThrottle(models.Model):
    """Failed-login counter per username, whether or not the user exists (no enumeration)."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
