"""The oncall app's records (7×24 值班, 驻场, 节假日值守, 交接班). Every business record
belongs to one contract. Who is on call is never stored: it is computed from these
(``weibao.oncall.rota``)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel, ContractScopedQuerySet
from weibao.core import clock


class DutySettings(ContractScopedModel):
    """A contract's duty promises: clause 五.2 asks for at least one resident on site on
    every working day (the seed's minimum is 1, the default when no row exists)."""

    residency_minimum = models.PositiveSmallIntegerField(_("每个工作日最少驻场人数"), default=1)

    class Meta:
        verbose_name = _("值守要求")
        verbose_name_plural = _("值守要求")
        constraints = [models.UniqueConstraint(fields=["contract"], name="oncall_settings_unique")]


class Schedule(ContractScopedModel):
    """One 7×24 on-call schedule (e.g. 平台技术支持值班): layers of rotations, overrides on top."""

    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("值班表")
        verbose_name_plural = _("值班表")
        ordering = ["contract", "name"]
        constraints = [models.UniqueConstraint(fields=["contract", "name"], name="oncall_schedule_name_unique")]

    def __str__(self) -> str:
        return self.name


class LayerQuerySet(ContractScopedQuerySet):
    contract_lookup = "schedule__contract"


class Layer(models.Model):
    """A rotation within a schedule: ordered participants take turns of ``shift_days``
    days each, handing off at ``starts_at``'s time of day; it only covers the days and
    hours its restriction allows. Where several layers cover a minute, the highest
    ``level`` wins (PagerDuty's layering)."""

    class Rotation(models.TextChoices):
        DAILY = "daily", _("每日轮换")
        WEEKLY = "weekly", _("每周轮换")
        CUSTOM = "custom", _("自定义天数")

    class Days(models.TextChoices):
        ALL = "all", _("每天")
        WORKING = "working", _("工作日（含调休上班日）")
        REST = "rest", _("休息日（周末及法定节假日，调休上班日除外）")
        WEEKEND = "weekend", _("周六、周日（调休上班日除外）")

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级（高者优先）"), default=1)
    rotation = models.CharField(_("轮换"), max_length=8, choices=Rotation.choices, default=Rotation.WEEKLY)
    shift_days = models.PositiveSmallIntegerField(_("每班天数"), default=7)
    # The first hand-off: its date starts the rotation, its time of day is the hand-off time.
    starts_at = models.DateTimeField(_("开始（交接时间）"))
    # Ordered user ids: the rotation's turns.
    participants = models.JSONField(_("参与人员"), default=list)
    days = models.CharField(_("适用日期"), max_length=8, choices=Days.choices, default=Days.ALL)
    # A daily window in Asia/Shanghai; empty for the whole day. A window ending before it
    # starts runs past midnight (nights: 18:00–08:30) and belongs to the day it starts on.
    window_start = models.TimeField(_("时段开始"), null=True, blank=True)
    window_end = models.TimeField(_("时段结束"), null=True, blank=True)

    objects = LayerQuerySet.as_manager()

    class Meta:
        verbose_name = _("轮值层")
        verbose_name_plural = _("轮值层")
        ordering = ["schedule", "-level", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def contract_id(self) -> int:
        return self.schedule.contract_id


class Override(ContractScopedModel):
    """Someone else on call for a while (代班), or a swap (换班: the requester's shift
    given to another); counted only once the project manager approved it."""

    class Kind(models.TextChoices):
        OVERRIDE = "override", _("代班")
        SWAP = "swap", _("换班")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.OVERRIDE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("值班人")
    )
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("被替换人"),
    )
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The UID of the imported iCalendar event, so importing one file twice adds nothing.
    source_uid = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("代班/换班")
        verbose_name_plural = _("代班/换班")
        ordering = ["-start"]
        indexes = [models.Index(fields=["schedule", "status", "start"])]


class TimeOff(ContractScopedModel):
    """A person away (请假): not on call and not on site, whatever the rotation says."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["-start"]


class ResidencyShift(ContractScopedModel):
    """One person rostered on site (驻场) on one working day."""

    date = models.DateField(_("日期"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("驻场人员")
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("驻场排班")
        verbose_name_plural = _("驻场排班")
        ordering = ["date", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "date", "user"], name="oncall_residency_unique")
        ]


class DutyPlan(ContractScopedModel):
    """A holiday duty plan (节假日值守) for one statutory holiday period, generated from
    the calendar, edited by the PM, sent to the bureau liaison, who confirms it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已报送")
        CONFIRMED = "confirmed", _("甲方已确认")

    name = models.CharField(_("名称"), max_length=100)
    first_day = models.DateField(_("首日"))
    last_day = models.DateField(_("末日"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("说明"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_note = models.CharField(_("确认意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("节假日值守计划")
        verbose_name_plural = _("节假日值守计划")
        ordering = ["-first_day"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "first_day"], name="oncall_duty_plan_unique")
        ]

    def __str__(self) -> str:
        return self.name


class DutyDayQuerySet(ContractScopedQuerySet):
    contract_lookup = "plan__contract"


class DutyDay(models.Model):
    class Mode(models.TextChoices):
        ON_SITE = "onsite", _("现场值守")
        REMOTE = "remote", _("在线远程值守")

    plan = models.ForeignKey(DutyPlan, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"))
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices, default=Mode.REMOTE)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("值守人员"))
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = DutyDayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="oncall_duty_day_unique")]


class Handover(ContractScopedModel):
    """A shift handover (交接班): the outgoing person's open items and notes, acknowledged
    by the incoming one."""

    outgoing = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("交班人")
    )
    incoming = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("接班人")
    )
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("值班表")
    )
    notes = models.TextField(_("交班说明"))
    tickets = models.ManyToManyField("servicedesk.Ticket", related_name="+", blank=True, verbose_name=_("未结工单"))
    created_at = models.DateTimeField(default=clock.now, editable=False)
    acknowledged_at = models.DateTimeField(_("接班确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        ordering = ["-created_at"]


class CalendarFeed(ContractScopedModel):
    """A secret, revocable iCalendar address: for one schedule or for one person's duty.
    Only the secret's SHA-256 is kept; the address is shown once, when created."""

    schedule = models.ForeignKey(Schedule, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")
        ordering = ["-created_at"]

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
