"""Password validators: length, 3 of 4 character classes, none of the last N passwords,
no common password, no run like 1234 / abcd / qwer, no mobile number.

Each message is Chinese through gettext (Django's own length message has no Chinese
plural form in its catalogue and showed in English).
"""

from __future__ import annotations

import re
import string

from django.conf import settings
from django.contrib.auth import password_validation as django_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: What people here choose that Django's (English) list of 20,000 lacks: pinyin words and
#: names, 我爱你 and 一生一世 numbers, lucky numbers, brands, and our own trade's words.
CHINESE_COMMON_PASSWORDS = frozenset(
    """
    woaini woaini520 woaini1314 aini1314 woaiwojia wodemima mima mima123 mimamima
    nihao nihao123 zhongguo zhonghua beijing shanghai shenzhen guangzhou tianjin
    chongqing zhengzhou pingdingshan henan
    zhangwei wangwei wangfang liwei lina zhangmin lijing wangjing liuyang wanglei
    zhangsan lisi wangwu xiaoming xiaohong baobei laopo laogong tiantian kuaile xingfu
    huawei xiaomi taobao tencent baidu weixin alipay zhifubao
    zhengfu zhengwu yunwei fuwu kefu xitong guanliyuan
    5201314 1314520 520520 521521 1314521 168168 518518 888888 88888888 666666 66666666
    147258 147258369 159357 159753 258369 741852963 123qwe qwe123 asd123 1qaz2wsx
    1q2w3e4r zaq12wsx qazwsx qwe123456 aa123456 qq123456 a123456 abc123456
    """.split()
)

#: Keyboard rows and the alphabet: four neighbours in a row are one guess, not four.
_SEQUENCES = (
    "0123456789",
    "1234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "!@#$%^&*()",
)
SEQUENCE_LENGTH = 4
_RUNS = frozenset(
    row[i : i + SEQUENCE_LENGTH][::step]
    for row in _SEQUENCES
    for i in range(len(row) - SEQUENCE_LENGTH + 1)
    for step in (1, -1)
)
_REPEAT = re.compile(rf"(.)\1{{{SEQUENCE_LENGTH - 1}}}")
#: A mainland mobile number (11 digits from 13… to 19…) anywhere in the password.
_MOBILE = re.compile(r"1[3-9]\d{9}")


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短，至少需要 %(n)d 个字符。") % {"n": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("至少 %(n)d 个字符。") % {"n": self.min_length}


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    """Not a common password: Django's list plus ``CHINESE_COMMON_PASSWORDS``, also when
    decorated (``Woaini@1314``, ``Password@2026``, ``Aa@5201314``), and not a mobile
    number."""

    def validate(self, password, user=None):
        if _MOBILE.search(password):
            raise ValidationError(
                _("密码不能包含手机号码，它很容易被别人知道。"), code="password_phone_number"
            )
        if any(core in self.passwords or core in CHINESE_COMMON_PASSWORDS for core in _cores(password)):
            raise ValidationError(
                _("密码过于常见，很容易被猜中，请换一个。"), code="password_too_common"
            )

    def get_help_text(self):
        return _("不能是常见密码（如 Aa123456、woaini1314）或手机号码。")


def _cores(password: str) -> set[str]:
    """The password, and its word or number without the digits and signs stuck around
    it: what a guesser's list holds before "decorating" it."""
    lower = password.strip().lower()
    letters = re.sub(r"^[^a-z]+|[^a-z]+$", "", lower)
    digits = re.sub(r"^[^0-9]+|[^0-9]+$", "", lower)
    cores = {lower}
    if len(letters) >= 4:
        cores.add(letters)
    if len(digits) >= 6:
        cores.add(digits)
    return cores


class SequenceValidator:
    """No run of four neighbours: 1234, 4321, abcd, dcba, qwer, asdf, !@#$, nor 1111."""

    def validate(self, password, user=None):
        lower = password.lower()
        if _REPEAT.search(lower) or any(
            lower[i : i + SEQUENCE_LENGTH] in _RUNS for i in range(len(lower) - SEQUENCE_LENGTH + 1)
        ):
            raise ValidationError(
                _("密码不能包含 %(n)d 个及以上连续或重复的字符（如 1234、4321、abcd、qwer、1111）。")
                % {"n": SEQUENCE_LENGTH},
                code="password_sequence",
            )

    def get_help_text(self):
        return _("不能包含 1234、abcd、qwer 这样的连续字符。")


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
