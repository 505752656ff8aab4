"""Forms of the notification pages: a person's own contact methods, rules and quiet hours;
a contract's channels (robots, webhooks, gateway) with secrets that never come back out."""

from __future__ import annotations

import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.core import stored_secrets
from weibao.core.params import json_depth
from weibao.notifications.channels.base import host_allowed
from weibao.notifications.channels.gateway import GATEWAYS
from weibao.notifications.models import (
    ContactProfile,
    NotificationChannel,
    NotificationRule,
    Urgency,
)

MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
MAX_DELAY_MINUTES = 1440


def _mobile(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if value and not MOBILE.fullmatch(value):
        raise forms.ValidationError(_("请填写 11 位中国大陆手机号。"))
    return value[-11:] if value else ""


#: The gateway options that are text or a number (a list or an object there is a mistake).
TEXT_OPTIONS = ("provider", "voice_url", "voice_endpoint", "sms_body", "voice_body", "ok_field", "access_key_id",
                "sign_name", "sms_template", "sms_param", "voice_template", "voice_param", "show_number", "region",
                "secret_id", "sms_app_id", "voice_app_id", "play_times")


class ContactProfileForm(forms.ModelForm):
    class Meta:
        model = ContactProfile
        fields = ["email", "mobile", "dingtalk_mobile", "wecom_mobile", "feishu_name", "quiet_start", "quiet_end"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "dingtalk_mobile": forms.TextInput(attrs={"inputmode": "tel"}),
            "wecom_mobile": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def clean_mobile(self):
        return _mobile(self.cleaned_data["mobile"])

    def clean_dingtalk_mobile(self):
        return _mobile(self.cleaned_data["dingtalk_mobile"])

    def clean_wecom_mobile(self):
        return _mobile(self.cleaned_data["wecom_mobile"])

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("quiet_start")) != bool(cleaned.get("quiet_end")):
            self.add_error("quiet_end", _("免打扰需同时填写开始和结束时间。"))
        return cleaned


class RulesForm(forms.Form):
    """A grid: for each urgency and method, whether to use it and after how many minutes."""

    def __init__(self, *args, current: dict[tuple[str, str], int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for urgency in Urgency:
            for method in NotificationRule.Method:
                key = (urgency.value, method.value)
                self.fields[f"use_{urgency.value}_{method.value}"] = forms.BooleanField(
                    required=False, initial=key in current,
                    label=f"{urgency.label} · {method.label}",
                )
                self.fields[f"delay_{urgency.value}_{method.value}"] = forms.IntegerField(
                    required=False, min_value=0, max_value=MAX_DELAY_MINUTES, initial=current.get(key, 0),
                    label=_("分钟后（未确认时）"),
                )

    def grid(self):
        return [
            (urgency, [(method, self[f"use_{urgency.value}_{method.value}"], self[f"delay_{urgency.value}_{method.value}"])
                       for method in NotificationRule.Method])
            for urgency in Urgency
        ]

    def rules(self) -> list[tuple[str, str, int]]:
        chosen = []
        for urgency in Urgency:
            for method in NotificationRule.Method:
                if self.cleaned_data.get(f"use_{urgency.value}_{method.value}"):
                    delay = self.cleaned_data.get(f"delay_{urgency.value}_{method.value}") or 0
                    chosen.append((urgency.value, method.value, delay))
        return chosen


class ChannelForm(forms.ModelForm):
    endpoint_input = forms.CharField(
        label=_("地址（Webhook URL）"), required=False, max_length=1000,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("含访问令牌，保存后加密存储、不再显示；编辑时留空则不修改。"),
    )
    secret_input = forms.CharField(
        label=_("签名密钥"), required=False, max_length=300, widget=forms.PasswordInput(render_value=False),
        help_text=_("钉钉“加签”、飞书“签名校验”、Webhook 签名或网关令牌；留空则不修改。"),
    )
    clear_secret = forms.BooleanField(label=_("清除签名密钥"), required=False)
    options_text = forms.CharField(
        label=_("网关参数（JSON）"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_("仅短信/语音网关。通用 HTTP 网关：sms_body、voice_url、voice_body、headers、ok_field、ok_value；"
                    "阿里云：provider 填 aliyun，access_key_id、sign_name、sms_template、sms_param、voice_template、"
                    "voice_param、show_number（签名密钥填 AccessKey Secret）；腾讯云：provider 填 tencent，secret_id、"
                    "sms_app_id、sign_name、sms_template、voice_app_id、voice_template、play_times、region、"
                    "voice_endpoint、param_limit（短信变量长度，默认 6，按已批准的长度填写）、voice_param_limit"
                    "（签名密钥填 SecretKey）。"),
    )

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "message_format", "rate_per_minute", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.options:
            self.fields["options_text"].initial = json.dumps(self.instance.options, ensure_ascii=False, indent=1)

    def clean_endpoint_input(self):
        value = self.cleaned_data["endpoint_input"].strip()
        if not value and not self.instance.pk:
            raise forms.ValidationError(_("请填写地址。"))
        if value and not host_allowed(value):
            raise forms.ValidationError(_("地址须为 http(s)，且主机在系统允许的范围内（WEIBAO_NOTIFY_HOSTS）。"))
        return value

    def clean_secret_input(self):
        value = self.cleaned_data["secret_input"]
        if stored_secrets.is_env_reference(value):
            raise forms.ValidationError(_("此处不能引用环境变量。"))
        return value

    def clean_options_text(self):
        text = self.cleaned_data["options_text"].strip()
        if not text:
            return {}
        if json_depth(text) > 4:
            raise forms.ValidationError(_("JSON 嵌套过深。"))
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("不是有效的 JSON。")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("应为 JSON 对象。"))
        for key in TEXT_OPTIONS:
            if key in value and (not isinstance(value[key], str | int) or isinstance(value[key], bool)):
                raise forms.ValidationError(_("%(key)s 应为文本。") % {"key": key})
        for key in ("param_limit", "voice_param_limit"):
            if key in value and (not isinstance(value[key], int) or isinstance(value[key], bool)
                                 or not 2 <= value[key] <= 500):
                raise forms.ValidationError(_("%(key)s 应为 2 至 500 之间的整数。") % {"key": key})
        for key in ("voice_url", "voice_endpoint"):
            if value.get(key) and not host_allowed(str(value[key])):
                raise forms.ValidationError(_("%(key)s 不在允许的地址范围内。") % {"key": key})
        if "provider" in value and value["provider"] not in GATEWAYS:
            raise forms.ValidationError(_("provider 应为以下之一：%(names)s。") % {"names": "、".join(sorted(GATEWAYS))})
        return value

    def clean(self):
        """A provider's own endpoint rules (a query string Tencent cannot sign), said now
        rather than at the first send."""
        cleaned = super().clean()
        provider = GATEWAYS.get(str((cleaned.get("options_text") or {}).get("provider", "")))
        if provider is None or cleaned.get("kind") != NotificationChannel.Kind.GATEWAY:
            return cleaned
        endpoint = cleaned.get("endpoint_input")
        if endpoint and (problem := provider.endpoint_problem(endpoint)):
            self.add_error("endpoint_input", problem)
        voice_endpoint = (cleaned.get("options_text") or {}).get("voice_endpoint")
        if voice_endpoint and (problem := provider.endpoint_problem(str(voice_endpoint))):
            self.add_error("options_text", f"voice_endpoint: {problem}")
        return cleaned

    def save(self, commit=True):
        channel = super().save(commit=False)
        if self.cleaned_data.get("endpoint_input"):
            channel.endpoint = stored_secrets.protect(self.cleaned_data["endpoint_input"])
        if self.cleaned_data.get("clear_secret"):
            channel.secret = ""
        elif self.cleaned_data.get("secret_input"):
            channel.secret = stored_secrets.protect(self.cleaned_data["secret_input"])
        channel.options = self.cleaned_data.get("options_text") or {}
        if commit:
            channel.save()
        return channel
