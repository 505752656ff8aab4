"""Notifications to people, and their delivery through each channel (stored, retried).

A ``Delivery`` is one message through one channel, written before anything is sent: the
worker claims it (a lease), sends it, and marks it; a claim that dies with its worker
expires and the sweep sends again with the same idempotency key (decision 0017).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedQuerySet
from weibao.core import clock


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("紧急")
    HIGH = "high", _("高")
    NORMAL = "normal", _("普通")
    LOW = "low", _("低")


class Notification(models.Model):
    """One message to one person. Platform-level ones (security) have no contract."""

    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=64, blank=True, db_index=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    ack_url = models.CharField(_("确认链接"), max_length=1000, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    dedup_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ContractScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedup_key"],
                condition=~models.Q(dedup_key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationChannel(models.Model):
    """A configured place to post to: a group robot or webhook of a contract, or an SMS /
    voice gateway of a contract or of the whole platform (``contract`` empty, set by the
    system administrator). Endpoint and secret are stored encrypted (core.stored_secrets):
    a robot's URL carries its access token."""

    class Kind(models.TextChoices):
        DINGTALK = "dingtalk", _("钉钉群机器人")
        WECOM = "wecom", _("企业微信群机器人")
        FEISHU = "feishu", _("飞书群机器人")
        WEBHOOK = "webhook", _("通用 Webhook")
        GATEWAY = "gateway", _("短信/语音网关")

    class Format(models.TextChoices):
        TEXT = "text", _("纯文本")
        MARKDOWN = "markdown", _("Markdown / 卡片")

    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("合同"),
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    endpoint = models.CharField(_("地址"), max_length=1200)
    secret = models.CharField(_("签名密钥"), max_length=400, blank=True)
    message_format = models.CharField(_("消息格式"), max_length=16, choices=Format.choices, default=Format.TEXT)
    # Gateways: {"sms_body": template, "voice_url": ..., "voice_body": ..., "headers": {...},
    # "ok_field": "code", "ok_value": "0"}; see channels/gateway.py.
    options = models.JSONField(_("网关参数"), default=dict, blank=True)
    rate_per_minute = models.PositiveIntegerField(
        _("每分钟上限"), default=0, help_text=_("0 表示按平台默认（钉钉、企业微信 20 条/分钟）。")
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = ContractScopedQuerySet.as_manager()

    class Meta:
        ordering = ["contract_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ContactProfile(models.Model):
    """How a person wants to be reached: their numbers and addresses and quiet hours."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_profile")
    email = models.EmailField(_("通知邮箱"), blank=True, help_text=_("留空则使用账号邮箱。"))
    mobile = models.CharField(_("手机号（短信、语音）"), max_length=20, blank=True)
    dingtalk_mobile = models.CharField(_("钉钉手机号（群内@）"), max_length=20, blank=True)
    wecom_mobile = models.CharField(_("企业微信手机号（群内@）"), max_length=20, blank=True)
    feishu_name = models.CharField(_("飞书群内称呼"), max_length=50, blank=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return str(self.user)


class NotificationRule(models.Model):
    """One step of a person's rule for an urgency: this channel, after this many minutes
    (a delayed step is sent only while the matter is unacknowledged)."""

    class Method(models.TextChoices):
        EMAIL = "email", _("邮件")
        SMS = "sms", _("短信")
        VOICE = "voice", _("语音电话")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_rules")
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    method = models.CharField(_("方式"), max_length=16, choices=Method.choices)
    delay_minutes = models.PositiveSmallIntegerField(_("延迟（分钟）"), default=0)

    class Meta:
        ordering = ["user_id", "urgency", "delay_minutes", "method"]
        constraints = [
            models.UniqueConstraint(fields=["user", "urgency", "method"], name="notification_rule_once")
        ]


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Delivery(models.Model):
    """A message through one channel, stored before it is sent. Failed sends are retried
    with backoff; a claim (``next_attempt_at`` moved one send timeout ahead) keeps two
    workers from sending it at once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        SMS = "sms", _("短信")
        VOICE = "voice", _("语音电话")
        DINGTALK = "dingtalk", _("钉钉")
        WECOM = "wecom", _("企业微信")
        FEISHU = "feishu", _("飞书")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("已取消（已确认）")

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        NotificationChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254, blank=True)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("内容"), blank=True)
    link = models.CharField(max_length=1000, blank=True)
    ack_url = models.CharField(max_length=1000, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    dedup_key = models.CharField(max_length=200, blank=True, db_index=True)
    # Delayed steps ("voice after 5 minutes") are cancelled by acknowledgement.
    until_acknowledged = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=64, db_index=True, default=new_idempotency_key)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    parts_sent = models.PositiveSmallIntegerField(default=0)  # SMS segments already accepted
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=clock.now, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("错误"), blank=True)
    provider_response = models.TextField(_("平台应答"), blank=True)

    objects = ContractScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["target", "last_attempt_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "dedup_key"],
                condition=~models.Q(dedup_key="") & models.Q(notification__isnull=True),
                name="delivery_channel_post_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"
