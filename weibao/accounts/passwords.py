"""Password validators: 3 of 4 character classes; none of the last N passwords."""

from __future__ import annotations

import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, other characters."""

    def __init__(self, required: int = 3):
        self.required = required

    def validate(self, password, user=None):
        classes = [
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.required:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、特殊字符中的 %(n)d 类。")
                % {"n": self.required},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("至少包含大写字母、小写字母、数字、特殊字符中的 %(n)d 类。") % {"n": self.required}


class PasswordHistoryValidator:
    """The new password may not equal any of the user's last N passwords."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        count = settings.WEIBAO_PASSWORD_HISTORY
        recent = list(user.password_history.values_list("password", flat=True)[:count])
        if user.password:
            recent.append(user.password)
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": count}, code="password_reused"
            )

    def get_help_text(self):
        return _("不能与最近 %(n)d 次的密码相同。") % {"n": settings.WEIBAO_PASSWORD_HISTORY}
