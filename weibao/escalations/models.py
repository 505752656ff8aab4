"""Escalation policies and their runs (issue 14 item 6).

A policy is ordered steps: whom to page (a person, a role on the contract, a support
group, whoever is on call for a schedule — see ``targets``), how urgently, and how long to
wait for an acknowledgement before the next step; the steps repeat ``repeat`` times.
Triggers say which events start it (SLA warnings and breaches of chosen priorities, 督办,
incidents of chosen levels). A run (``Escalation``) keeps a timeline of every step.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel, ContractScopedQuerySet
from weibao.core import clock


class Urgency(models.TextChoices):
    """As ``notifications.notify(urgency=...)`` understands it."""

    CRITICAL = "critical", _("紧急")
    HIGH = "high", _("高")
    NORMAL = "normal", _("普通")
    LOW = "low", _("低")


class EscalationPolicy(ContractScopedModel):
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    repeat = models.PositiveSmallIntegerField(
        _("重复轮数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("全部步骤无人确认时，从第一步再来一轮，共几轮。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("升级策略")
        verbose_name_plural = _("升级策略")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="escalation_policy_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class StepQuerySet(ContractScopedQuerySet):
    contract_lookup = "policy__contract"


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("顺序"))
    target_kind = models.CharField(_("通知对象类型"), max_length=32)
    target_ref = models.CharField(_("通知对象"), max_length=64)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices,
                               default=Urgency.HIGH)
    # A group robot (notifications.NotificationChannel) posted to as well, by id.
    channel_id = models.PositiveIntegerField(_("同时发送到群机器人"), null=True, blank=True)
    wait_minutes = models.PositiveSmallIntegerField(
        _("等待确认（分钟）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )

    objects = StepQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="escalation_step_position_unique")
        ]


class EscalationTrigger(ContractScopedModel):
    """Which events start ``policy``: ``event_type`` and, if set, only for the listed
    ticket priorities (P1…) or incident levels (I…)."""

    class EventType(models.TextChoices):
        SLA_WARNING = "sla.warning", _("SLA 即将超时")
        SLA_BREACHED = "sla.breached", _("SLA 已超时")
        TICKET_URGED = "ticket.urged", _("督办")
        INCIDENT_OPENED = "incident.opened", _("发生事件")

    event_type = models.CharField(_("触发事件"), max_length=32, choices=EventType.choices)
    only_for = models.CharField(
        _("仅限优先级/级别"), max_length=64, blank=True,
        help_text=_("以逗号分隔，如 P1,P2 或 I,II；留空表示全部。"),
    )
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="triggers")

    class Meta:
        verbose_name = _("升级触发条件")
        ordering = ["event_type", "id"]

    def matches(self, grade: str) -> bool:
        wanted = {part.strip().upper() for part in self.only_for.split(",") if part.strip()}
        return not wanted or (grade or "").upper() in wanted


class EscalationQuerySet(ContractScopedQuerySet):
    def running(self):
        return self.filter(status=Escalation.Status.RUNNING)


class Escalation(ContractScopedModel):
    """One run of a policy for one item (a ticket, an incident)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("升级中")
        ACKNOWLEDGED = "acknowledged", _("已确认")
        EXHAUSTED = "exhausted", _("无人确认")
        CANCELLED = "cancelled", _("已取消")

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="runs")
    object_type = models.CharField(max_length=64)  # "servicedesk.ticket", "incidents.incident"
    object_id = models.CharField(max_length=64)
    subject = models.CharField(_("事由"), max_length=300)
    link = models.CharField(max_length=500, blank=True)
    reason = models.CharField(_("触发原因"), max_length=32, blank=True)  # the event type
    source_event = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.RUNNING, db_index=True)
    round = models.PositiveSmallIntegerField(default=1)
    next_position = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField(null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(default=clock.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("升级")
        verbose_name_plural = _("升级")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One event starts a policy once, however often the worker re-runs it.
            models.UniqueConstraint(
                fields=["policy", "source_event"], condition=models.Q(source_event__isnull=False),
                name="escalation_once_per_event",
            ),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return self.subject


class EscalationEntry(models.Model):
    """A line of a run's timeline."""

    class Kind(models.TextChoices):
        STARTED = "started", _("开始升级")
        NOTIFIED = "notified", _("已通知")
        NOBODY = "nobody", _("该步无人可通知")
        ACKNOWLEDGED = "acknowledged", _("已确认")
        EXHAUSTED = "exhausted", _("全部步骤无人确认")
        CANCELLED = "cancelled", _("已取消")

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(default=clock.now)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    recipients = models.CharField(max_length=500, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]


class AckLink(models.Model):
    """A one-click acknowledgement link sent to one person: usable once, until it expires.
    Only the token's hash is kept, so a database reader cannot acknowledge in their name."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="ack_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
