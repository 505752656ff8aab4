"""The three administrator roles (三员: 系统管理员, 安全管理员, 审计管理员): platform-wide and
held by different people (GB/T 22239-2019 8.1.4.2 separation of duties). Contract roles
and what they may do are the contracts app's (``contracts.roles``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminRole(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")
