"""The monitoring app's records. Every business record belongs to one contract.

A ``Monitor`` watches one component of the service catalogue; the probe runner leases it
(``lease_owner`` / ``lease_expires_at``), checks it and stores each result compactly
(``CheckResult``, kept for a configurable window, then the per-minute and per-hour
``Rollup`` rows for the term). Every change of state is a ``StateChange`` with its
evidence; availability is computed from those and the ``MaintenanceWindow`` rows.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel, ContractScopedQuerySet

MIN_INTERVAL = 10  # seconds: the shortest interval
MAX_INTERVAL = 24 * 3600


class MonitorKind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP 端口")
    TLS = "tls", _("TLS 证书")
    DNS = "dns", _("DNS 解析")
    HEARTBEAT = "heartbeat", _("心跳（定时任务）")


class MonitorState(models.TextChoices):
    UNKNOWN = "unknown", _("未知")
    UP = "up", _("正常")
    DOWN = "down", _("故障")


class Monitor(ContractScopedModel):
    """One check of one component (监测项)."""

    component = models.ForeignKey(
        "servicedesk.ServiceComponent", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="monitors", verbose_name=_("服务目录项"),
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=MonitorKind.choices)
    # A URL (http), host:port (tcp, tls) or a host name (dns); empty for a heartbeat.
    target = models.CharField(_("目标"), max_length=500, blank=True)
    # The kind's settings (``checks.SETTINGS`` lists them): method, headers, body,
    # expected status, keyword, JSON path, warn days, record type, expected answer…
    config = models.JSONField(_("检查参数"), default=dict, blank=True)
    interval_seconds = models.PositiveIntegerField(
        _("检查间隔（秒）"), default=60,
        validators=[MinValueValidator(MIN_INTERVAL), MaxValueValidator(MAX_INTERVAL)],
    )
    timeout_seconds = models.PositiveIntegerField(
        _("超时（秒）"), default=10, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    failures_to_down = models.PositiveSmallIntegerField(
        _("连续失败几次判为故障"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    # Flapping damped: once down, it takes this many successes in a row to be up again.
    successes_to_up = models.PositiveSmallIntegerField(
        _("连续成功几次判为恢复"), default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    # Heartbeats: a ping is expected every period, late after period + grace.
    grace_seconds = models.PositiveIntegerField(_("宽限（秒）"), default=300)
    ping_key = models.UUIDField(_("心跳地址"), default=uuid.uuid4, unique=True, editable=False)
    last_ping_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    last_start_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_ping_failed = models.BooleanField(default=False)  # the job said /fail
    enabled = models.BooleanField(_("启用"), default=True)

    state = models.CharField(_("状态"), max_length=8, choices=MonitorState.choices, default=MonitorState.UNKNOWN)
    state_since = models.DateTimeField(_("状态起始"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(_("最近检查"), null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    # The probe runners' lease (decision 0018): the next check is due at ``next_due_at``;
    # a runner claims it with SELECT … FOR UPDATE SKIP LOCKED, advancing ``next_due_at``
    # by one interval in the same statement, so no other runner checks it this interval.
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_owner = models.CharField(max_length=80, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("监测项")
        verbose_name_plural = _("监测项")
        ordering = ["contract", "name"]
        indexes = [models.Index(fields=["enabled", "next_due_at"], name="monitor_due")]

    def __str__(self) -> str:
        return self.name


class StateChange(ContractScopedModel):
    """A monitor went up or down, with the result that decided it (状态变化及证据)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(max_length=8, choices=MonitorState.choices)
    to_state = models.CharField(max_length=8, choices=MonitorState.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    # {"status", "latency_ms", "error", "excerpt", "checked_at", "failures"}
    evidence = models.JSONField(_("证据"), default=dict)

    class Meta:
        ordering = ["monitor", "at", "pk"]
        indexes = [models.Index(fields=["monitor", "at"], name="statechange_monitor_at")]


class ResultQuerySet(ContractScopedQuerySet):
    contract_lookup = "monitor__contract"


class CheckResult(models.Model):
    """One raw check, kept for ``WEIBAO_PROBE_RAW_DAYS`` days (compact: no text on success).

    On PostgreSQL the table is partitioned by day on ``at`` (``partitions``): its key is
    ``(id, at)``, so ``id`` is unique by its sequence only and no foreign key may point here."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField()
    ok = models.BooleanField()
    latency_ms = models.PositiveIntegerField(null=True)
    status = models.PositiveSmallIntegerField(null=True)
    error = models.CharField(max_length=200, blank=True)
    # Seconds between the scheduled and the actual start (the runner's lag).
    lag_ms = models.PositiveIntegerField(default=0)

    objects = ResultQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["monitor", "at"], name="checkresult_monitor_at"),
            models.Index(fields=["at"], name="checkresult_at"),
        ]


class Rollup(models.Model):
    """Per-minute and per-hour counts of a monitor's checks, kept for the contract's term."""

    class Resolution(models.TextChoices):
        MINUTE = "m", _("分钟")
        HOUR = "h", _("小时")

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    resolution = models.CharField(max_length=1, choices=Resolution.choices)
    bucket = models.DateTimeField()
    checks = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    latency_sum_ms = models.BigIntegerField(default=0)
    latency_max_ms = models.PositiveIntegerField(default=0)

    objects = ResultQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "resolution", "bucket"], name="rollup_unique")
        ]

    @property
    def latency_avg_ms(self) -> int | None:
        return round(self.latency_sum_ms / (self.checks - self.failures)) if self.checks > self.failures else None


class MaintenanceWindow(ContractScopedModel):
    """Declared maintenance (维护窗口): paging is suppressed for its components, results are
    still recorded, and its time is left out of availability."""

    components = models.ManyToManyField(
        "servicedesk.ServiceComponent", related_name="+", verbose_name=_("服务目录项")
    )
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=300)
    # Shown on the public status page (公告); an internal window stays off it.
    announce = models.BooleanField(_("在状态页公告"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("维护窗口")
        verbose_name_plural = _("维护窗口")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="maintenance_end_after_start")
        ]

    def __str__(self) -> str:
        return self.reason


class AvailabilityTarget(ContractScopedModel):
    """The availability a component must reach (可用性目标), e.g. 99.9 %."""

    component = models.OneToOneField(
        "servicedesk.ServiceComponent", on_delete=models.CASCADE, related_name="+"
    )
    percent = models.DecimalField(
        _("目标（%）"), max_digits=6, decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class StatusPage(ContractScopedModel):
    """A contract's status page (状态页): the public variant at ``/status/<slug>/`` when
    ``public`` is on, the bureau variant for members always."""

    slug = models.SlugField(_("公开地址"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=100)
    public = models.BooleanField(_("公开"), default=False)
    # Components shown on the public variant (the bureau variant shows all).
    public_components = models.ManyToManyField(
        "servicedesk.ServiceComponent", blank=True, related_name="+", verbose_name=_("公开的服务目录项")
    )

    def __str__(self) -> str:
        return self.title
