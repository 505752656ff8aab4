"""The incidents app's records. Every business record belongs to one contract.

Alerts arrive through integrations (a secret URL each) and are stored raw first
(``Delivery``), then normalised into ``Alert`` rows grouped into ``Incident``s. Monitors
going down (events of the monitoring app) become alerts of the same shape, so one
grouping rule serves both.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel, ContractScopedQuerySet
from weibao.core import clock


class Level(models.TextChoices):
    """Incident levels (GB/T 20986-2023 §6, the national reporting measures' annex)."""

    I = "I", _("特别重大（Ⅰ级）")  # noqa: E741 - the level's own name
    II = "II", _("重大（Ⅱ级）")
    III = "III", _("较大（Ⅲ级）")
    IV = "IV", _("一般（Ⅳ级）")


LEVEL_COLOURS = {Level.I: "red", Level.II: "orange", Level.III: "yellow", Level.IV: "blue"}
# Most severe first: a lower number is more severe.
LEVEL_RANK = {Level.I: 1, Level.II: 2, Level.III: 3, Level.IV: 4}


class Category(models.TextChoices):
    """The ten incident categories of GB/T 20986-2023 §5.2 (it raised the 2007 edition's 7 to 10)."""

    MALWARE = "malware", _("恶意程序事件")
    ATTACK = "attack", _("网络攻击事件")
    DATA = "data", _("数据安全事件")
    CONTENT = "content", _("信息内容安全事件")
    EQUIPMENT = "equipment", _("设备设施故障事件")
    VIOLATION = "violation", _("违规操作事件")
    HAZARD = "hazard", _("安全隐患事件")
    ABNORMAL = "abnormal", _("异常行为事件")
    FORCE_MAJEURE = "force_majeure", _("不可抗力事件")
    OTHER = "other", _("其他事件")


class LevelDefinition(ContractScopedModel):
    """What a level means on this contract, and the reporting deadlines it sets."""

    level = models.CharField(_("级别"), max_length=3, choices=Level.choices)
    definition = models.TextField(_("定义"), blank=True)
    bureau_minutes = models.PositiveIntegerField(_("向甲方报告时限（分钟）"))
    # 《国家网络安全事件报告管理办法》 art. 4 (in force 2025-11-01): 较大 and above are
    # reported — other operators to the provincial cyberspace office within 4 hours,
    # critical information infrastructure to its protection department within 1 hour.
    regulator_minutes = models.PositiveIntegerField(_("向监管部门报告时限（分钟）"), null=True, blank=True)
    regulator_name = models.CharField(_("监管报告对象"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("事件级别定义")
        ordering = ["contract", "level"]
        constraints = [models.UniqueConstraint(fields=["contract", "level"], name="incident_level_unique")]

    def __str__(self) -> str:
        return self.get_level_display()

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.level]


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def new_mail_secret() -> str:
    """A secret that survives in an e-mail address: mail servers may fold the case of a
    local part, so lower-case letters and digits only (base32, 160 bits)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().lower()


class Integration(ContractScopedModel):
    """A source of alerts with its own secret URL (rotatable)."""

    class Kind(models.TextChoices):
        ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
        GRAFANA = "grafana", _("Grafana 告警")
        ZABBIX = "zabbix", _("Zabbix（Webhook 媒介）")
        GENERIC = "generic", _("通用 JSON Webhook")
        # Mail to the contract's service mailbox at a secret sub-address (decision 0027).
        EMAIL = "email", _("邮件")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    secret = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    # Alerts whose values of these labels agree join one incident while it is open.
    group_by = models.JSONField(_("分组标签"), default=list, blank=True)
    default_level = models.CharField(_("默认级别"), max_length=3, choices=Level.choices, default=Level.IV)
    category = models.CharField(_("事件类别"), max_length=20, choices=Category.choices, default=Category.EQUIPMENT)
    component = models.ForeignKey(
        "servicedesk.ServiceComponent", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("默认服务目录项"),
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=clock.now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("告警接入")
        ordering = ["contract", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        """The secret URL of a webhook integration; "" for mail (its address is the mail
        channel's to give: ``integrations.intake_address``)."""
        if self.kind not in WEBHOOK_KINDS:
            return ""
        return f"/api/v1/integrations/{self.kind}/{self.secret}/"


WEBHOOK_KINDS = (Integration.Kind.ALERTMANAGER, Integration.Kind.GRAFANA, Integration.Kind.ZABBIX, Integration.Kind.GENERIC)


class Delivery(ContractScopedModel):
    """One request body as received, kept before anything else is done with it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待处理")
        PROCESSED = "processed", _("已处理")
        REJECTED = "rejected", _("格式错误")
        FAILED = "failed", _("处理失败，待重试")

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="deliveries")
    received_at = models.DateTimeField(default=clock.now)
    body = models.TextField()
    digest = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    alerts_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("告警投递")
        constraints = [
            # A sender retrying the same body finds it stored: nothing changes (idempotent).
            models.UniqueConstraint(fields=["integration", "digest"], name="delivery_digest_unique")
        ]
        indexes = [models.Index(fields=["state", "received_at"], name="delivery_state_idx")]


class IncidentQuerySet(ContractScopedQuerySet):
    def unresolved(self):
        return self.exclude(status=Incident.Status.RESOLVED)


class Incident(ContractScopedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("待确认")
        ACKNOWLEDGED = "acknowledged", _("处置中")
        RESOLVED = "resolved", _("已恢复")

    class Source(models.TextChoices):
        ALERT = "alert", _("告警")
        MONITOR = "monitor", _("监测")
        MANUAL = "manual", _("人工登记")

    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    level = models.CharField(_("级别"), max_length=3, choices=Level.choices, default=Level.IV)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, default=Category.EQUIPMENT)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    component = models.ForeignKey(
        "servicedesk.ServiceComponent", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("服务目录项"),
    )
    integration = models.ForeignKey(Integration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What the grouping labels' values were; alerts of the same key join while it is open.
    group_key = models.CharField(max_length=400, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("发生时间"), default=clock.now)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # False while only silenced alerts opened it: nobody was paged (incident.opened unpublished).
    paged = models.BooleanField(default=False)
    tickets = models.ManyToManyField("servicedesk.Ticket", blank=True, related_name="+", verbose_name=_("关联工单"))

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["contract", "status", "opened_at"], name="incident_list_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.level]

    @property
    def number(self) -> str:
        return f"INC-{self.pk}"


class Alert(ContractScopedModel):
    """One alert, de-duplicated by its source's fingerprint and its start."""

    class Status(models.TextChoices):
        FIRING = "firing", _("告警中")
        RESOLVED = "resolved", _("已恢复")

    integration = models.ForeignKey(Integration, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    # Monitors (monitoring app) have no integration: their alerts are keyed "monitor:<id>".
    source_key = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    summary = models.CharField(max_length=500, blank=True)
    labels = models.JSONField(default=dict)
    annotations = models.JSONField(default=dict)
    source_url = models.URLField(max_length=1000, blank=True)
    silenced = models.BooleanField(default=False)
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    received_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("告警")
        constraints = [
            models.UniqueConstraint(fields=["source_key", "fingerprint", "starts_at"], name="alert_dedup_unique")
        ]


class TimelineQuerySet(ContractScopedQuerySet):
    contract_lookup = "incident__contract"


class TimelineEntry(models.Model):
    """Every alert, state change, note, notification, acknowledgement and escalation step."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("告警")
        STATE = "state", _("状态变更")
        LEVEL = "level", _("级别变更")
        NOTE = "note", _("备注")
        NOTIFICATION = "notification", _("通知")
        ACKNOWLEDGEMENT = "ack", _("确认")
        ESCALATION = "escalation", _("升级")
        REPORT = "report", _("报告")
        PLAN = "plan", _("预案")
        TICKET = "ticket", _("工单")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    at = models.DateTimeField(default=clock.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    # The event that caused it, so a re-run subscriber adds nothing twice.
    event_id = models.BigIntegerField(null=True, blank=True)

    objects = TimelineQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "event_id", "kind"], name="timeline_event_unique")
        ]


class ReportingDuty(models.Model):
    """Who must be told of an incident by when, and when and to whom it was told."""

    class Recipient(models.TextChoices):
        BUREAU = "bureau", _("甲方（业务主管部门）")
        REGULATOR = "regulator", _("网信部门/保护工作部门")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="duties")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    due_at = models.DateTimeField(_("报告时限"))
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    reported_to = models.CharField(_("报告对象"), max_length=200, blank=True)
    channel = models.CharField(_("报告方式"), max_length=100, blank=True)
    content = models.TextField(_("报告内容"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["incident", "recipient"], name="duty_unique")]


class Review(models.Model):
    """复盘: the post-incident review."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    cause = models.TextField(_("原因"), blank=True)
    impact = models.TextField(_("影响"), blank=True)
    timeline_summary = models.TextField(_("经过"), blank=True)
    went_well = models.TextField(_("做得好的"), blank=True)
    went_badly = models.TextField(_("待改进的"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=clock.now)


class Silence(ContractScopedModel):
    """Label matchers and a time range: matching alerts are recorded but page nobody."""

    matchers = models.JSONField(_("标签匹配"), default=dict)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    comment = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("静默")
        ordering = ["-starts_at"]

    def matches(self, labels: dict, at) -> bool:
        if not self.starts_at <= at < self.ends_at:
            return False
        return all(str(labels.get(name, "")) == str(value) for name, value in self.matchers.items())


class EmergencyPlan(ContractScopedModel):
    """应急预案 for one scenario."""

    class Scenario(models.TextChoices):
        PORTAL_DOWN = "portal_down", _("门户不可用")
        IDENTITY = "identity", _("统一身份认证故障")
        DATABASE = "database", _("数据库故障")
        DATA_LEAK = "data_leak", _("数据泄露")
        DEFACEMENT = "defacement", _("网页篡改")
        DDOS = "ddos", _("DDoS 攻击")
        OUTAGE = "outage", _("停电或网络中断")
        OTHER = "other", _("其他")

    title = models.CharField(_("名称"), max_length=200)
    scenario = models.CharField(_("场景"), max_length=20, choices=Scenario.choices)
    # The plan applies to incidents of this level or more severe.
    level = models.CharField(_("适用级别（及以上）"), max_length=3, choices=Level.choices, default=Level.IV)
    category = models.CharField(_("事件类别"), max_length=20, choices=Category.choices, blank=True)
    component = models.ForeignKey(
        "servicedesk.ServiceComponent", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("服务目录项"),
    )
    triggers = models.TextField(_("启动条件"), blank=True)
    bureau_template = models.TextField(_("向甲方通报模板"), blank=True)
    public_template = models.TextField(_("对外公告模板"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("应急预案")
        ordering = ["contract", "title"]

    def __str__(self) -> str:
        return self.title


class PlanRole(models.Model):
    """The plan's contact tree: a role, who holds it and who stands in."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="roles")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("职责"), max_length=100)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["order", "pk"]


class PlanStep(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("步骤"), max_length=300)
    owner = models.CharField(_("负责"), max_length=100, blank=True)

    class Meta:
        ordering = ["order", "pk"]


class Drill(ContractScopedModel):
    """演练: a rehearsal of a plan, run against its checklist."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已计划")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.PROTECT, related_name="drills")
    scheduled_at = models.DateTimeField(_("计划时间"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    findings = models.TextField(_("发现的问题"), blank=True)

    class Meta:
        verbose_name = _("演练")
        ordering = ["-scheduled_at"]


class ChecklistItem(models.Model):
    """A plan step copied onto an incident or a drill, ticked with its time."""

    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="checklist")
    drill = models.ForeignKey(Drill, null=True, blank=True, on_delete=models.CASCADE, related_name="checklist")
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=100, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["order", "pk"]


class FollowUp(models.Model):
    """An action decided in a review or a drill; it becomes a service-desk ticket."""

    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    drill = models.ForeignKey(Drill, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(_("改进措施"), max_length=200)
    ticket = models.ForeignKey("servicedesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["pk"]


class InspectionTemplate(ContractScopedModel):
    """巡检 checklist (item 7): what a planned round (visits app) checks, one item a line."""

    class Cadence(models.TextChoices):
        DAILY = "daily", _("每日")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")

    title = models.CharField(_("名称"), max_length=200)
    cadence = models.CharField(_("周期"), max_length=10, choices=Cadence.choices)
    items = models.TextField(_("检查项（每行一项）"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("巡检清单")
        ordering = ["contract", "cadence", "title"]

    def __str__(self) -> str:
        return self.title

    def item_lines(self) -> list[str]:
        return [line.strip()[:300] for line in self.items.splitlines() if line.strip()]


class Inspection(ContractScopedModel):
    """A checklist carried out on one planned round (a ``visits.Visit``): the round's own
    schedule and engineer, no second scheduling mechanism."""

    visit = models.ForeignKey("visits.Visit", on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(InspectionTemplate, on_delete=models.PROTECT, related_name="inspections")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("巡检记录")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["visit", "template"], name="inspection_once_per_visit")]


class InspectionItem(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("通过")
        FAIL = "fail", _("不通过")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    result = models.CharField(max_length=4, choices=Result.choices, blank=True)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket = models.ForeignKey("servicedesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["order", "pk"]
