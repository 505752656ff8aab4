from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from weibao.accounts.services.login import LoginError, check_current_password


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("动态验证码"),
        min_length=6,
        max_length=7,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("当前密码"), strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        error = check_current_password(self.user, value)
        if error is LoginError.LOCKED:
            raise forms.ValidationError(
                _("当前密码错误次数过多，账号已被临时锁定，请 %(m)d 分钟后再登录。"),
                code="locked",
                params={"m": settings.WEIBAO_LOCKOUT_MINUTES},
            )
        if error is not None:
            raise forms.ValidationError(
                _("当前密码不正确；连续输错 %(n)d 次账号将被临时锁定。"),
                code="invalid",
                params={"n": settings.WEIBAO_LOCKOUT_THRESHOLD},
            )
        return value

    @property
    def locked(self) -> bool:
        """The current password was refused because the account is (now) locked."""
        return self.has_error("old_password", code="locked")

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned
