"""Tickets (工单), their conversation and history, and the SLA clocks that time them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel, ContractScopedQuerySet
from weibao.core import clock
from weibao.core.encrypted_fields import (
    EncryptedCharField,
    EncryptedEmailField,
    KeyedHashField,
    PersonalDataModel,
)


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    FAULT = "fault", _("故障")
    SERVICE_REQUEST = "service_request", _("服务请求")
    OPTIMISATION = "optimisation", _("优化")
    PROMOTION = "promotion", _("推广")


class Priority(models.TextChoices):
    P1 = "p1", _("P1 紧急")
    P2 = "p2", _("P2 高")
    P3 = "p3", _("P3 中")
    P4 = "p4", _("P4 低")


PRIORITY_MEANING = {
    Priority.P1: _("平台或核心功能（门户、统一身份认证、电子证照、审批）整体不可用，或涉及安全事件、大面积群众无法办事。"),
    Priority.P2: _("重要功能部分不可用或性能严重下降，影响一个部门或大量办事人员，无可用替代办法。"),
    Priority.P3: _("单个功能异常或个别用户受影响，有替代办法；一般服务请求。"),
    Priority.P4: _("咨询、优化建议、推广类工作，不影响正常办事。"),
}


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    PORTAL = "portal", _("门户")
    EMAIL = "email", _("邮件")
    API = "api", _("接口")
    ONSITE = "onsite", _("现场")
    MONITORING = "monitoring", _("监控")


class Status(models.TextChoices):
    NEW = "new", _("新建")
    ASSIGNED = "assigned", _("已分派")
    IN_PROGRESS = "in_progress", _("处理中")
    WAITING = "waiting", _("等待请求人")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


SLA_STATES = [
    ("running", _("计时中")),
    ("paused", _("已暂停")),
    ("met", _("已达成")),
    ("breached", _("已超时")),
]

OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING)
#: "即将超时": a running clock due within this long.
BREACHING_SOON = dt.timedelta(hours=2)


def breaching_soon(now: dt.datetime) -> models.Q:
    """Open tickets' running clocks due within BREACHING_SOON of ``now`` (the list's
    "即将超时" view and the home page's figure that links to it); already-breached ones
    have their own state."""
    return models.Q(status__in=OPEN_STATUSES, sla_state=SlaClock.State.RUNNING,
                    sla_due_at__lt=now + BREACHING_SOON)


class ServiceComponent(ContractScopedModel):
    """An entry of the contract's service catalogue (服务目录): a component of the platform."""

    code = models.CharField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务目录项")
        verbose_name_plural = _("服务目录")
        ordering = ["contract", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="component_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SupportGroup(ContractScopedModel):
    name = models.CharField(_("名称"), max_length=100)
    # The group a hotline call "需要跟进" goes to; one per contract at most, so renaming
    # the group (or choosing another one) never silently leaves follow-ups without one.
    hotline_follow_up = models.BooleanField(
        _("接收热线跟进"), default=False,
        help_text=_("热线来电选择“需要跟进”时，工单进入此组。每个合同至多一个。"),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        verbose_name = _("支持组")
        verbose_name_plural = _("支持组")
        ordering = ["contract", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="group_name_unique"),
            models.UniqueConstraint(
                fields=["contract"], condition=models.Q(hotline_follow_up=True),
                name="group_one_hotline_follow_up",
                violation_error_message=_("每个合同只能有一个接收热线跟进的支持组。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(ContractScopedModel):
    """Targets for one ticket type × priority on a contract, each on its own calendar."""

    ticket_type = models.CharField(_("工单类型"), max_length=20, choices=TicketType.choices)
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(_("响应时限（分钟）"))
    response_calendar = models.ForeignKey(
        "calendars.BusinessCalendar", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("响应日历"),
    )
    arrival_minutes = models.PositiveIntegerField(_("到场时限（分钟）"), null=True, blank=True)
    arrival_calendar = models.ForeignKey(
        "calendars.BusinessCalendar", on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("到场日历"),
    )
    resolution_minutes = models.PositiveIntegerField(_("解决时限（分钟）"))
    resolution_calendar = models.ForeignKey(
        "calendars.BusinessCalendar", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("解决日历"),
    )
    warn_percent = models.PositiveSmallIntegerField(_("预警比例（%）"), default=80)

    class Meta:
        verbose_name = _("服务级别策略")
        verbose_name_plural = _("服务级别策略")
        ordering = ["contract", "ticket_type", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "ticket_type", "priority"], name="sla_policy_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(warn_percent__gte=1, warn_percent__lte=99),
                name="sla_warn_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ticket_type_display()} {self.get_priority_display()}"


class TicketCounter(models.Model):
    """Per contract and year, the last ticket number handed out (row-locked)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="ticket_counter_unique")
        ]


class TicketQuerySet(ContractScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def urged(self):
        """督办: open tickets the bureau pressed for, the most urged first."""
        return self.filter(status__in=OPEN_STATUSES, urged_count__gt=0).order_by(
            "-urged_count", models.F("urged_at").desc(nulls_last=True), "-id"
        )

    def hotline_follow_ups(self, agent):
        """"我的待跟进": the phone tickets ``agent`` logged that are still open."""
        return self.filter(created_by=agent, channel=Channel.PHONE, status__in=OPEN_STATUSES)


class Ticket(PersonalDataModel, ContractScopedModel):
    number = models.CharField(_("工单号"), max_length=20)
    type = models.CharField(_("类型"), max_length=20, choices=TicketType.choices)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    # The requester's personal data is encrypted at rest (decision 0026); exact search goes
    # through the keyed hashes beside it.
    requester_name = EncryptedCharField(_("请求人"), max_length=100)
    requester_organisation = models.CharField(_("单位"), max_length=200, blank=True)
    requester_phone = EncryptedCharField(_("联系电话"), max_length=32, blank=True)
    requester_email = EncryptedEmailField(_("邮箱"), blank=True)
    requester_name_hash = KeyedHashField(source="requester_name", kind="name")
    requester_phone_hash = KeyedHashField(source="requester_phone", kind="phone")
    requester_email_hash = KeyedHashField(source="requester_email", kind="email")
    # When retention anonymised the requester (PIPL art. 19; services/retention.py).
    requester_anonymised_at = models.DateTimeField(_("请求人信息匿名化时间"), null=True, blank=True)
    component = models.ForeignKey(
        ServiceComponent, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("服务目录项"),
    )
    subject = models.CharField(_("主题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_tickets", verbose_name=_("处理人"),
    )
    group = models.ForeignKey(
        SupportGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_("支持组"),
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_tickets", verbose_name=_("关注人")
    )
    needs_onsite = models.BooleanField(_("需要到场"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now)
    first_response_at = models.DateTimeField(_("首次响应"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # 督办: bureau staff urged it; raises its visibility in lists and home panels.
    urged_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    urged_at = models.DateTimeField(_("最近督办"), null=True, blank=True)
    # The hotline: call start and end (talk time) and whether it was answered on the call.
    call_started_at = models.DateTimeField(_("通话开始"), null=True, blank=True)
    call_ended_at = models.DateTimeField(_("通话结束"), null=True, blank=True)
    first_contact_resolved = models.BooleanField(_("首次解决"), default=False)
    # The form's key (services/submissions.py): one form sent twice is one ticket.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)
    # Denormalised from the clocks so the list can filter and sort by SLA cheaply.
    sla_due_at = models.DateTimeField(_("最近到期"), null=True, blank=True)
    sla_state = models.CharField(
        _("SLA 状态"), max_length=10, blank=True, default="", choices=SLA_STATES
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="ticket_number_unique"),
            models.UniqueConstraint(
                fields=["contract", "created_by", "submission_key"], name="ticket_submitted_once"
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "-created_at", "-id"], name="ticket_recent"),
            models.Index(fields=["contract", "status", "-created_at"], name="ticket_status"),
            models.Index(fields=["contract", "assignee", "status"], name="ticket_assignee"),
            models.Index(fields=["contract", "sla_state", "sla_due_at", "id"], name="ticket_sla"),
            models.Index(fields=["contract", "type", "-created_at"], name="ticket_type"),
            models.Index(fields=["contract", "priority", "-created_at"], name="ticket_priority"),
            models.Index(fields=["contract", "requester_phone_hash"], name="ticket_phone_hash"),
            models.Index(fields=["contract", "requester_name_hash"], name="ticket_requester_hash"),
            models.Index(fields=["contract", "requester_email_hash"], name="ticket_email_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EntryQuerySet(ContractScopedQuerySet):
    contract_lookup = "ticket__contract"


class TicketEntry(models.Model):
    """One line of a ticket's conversation and history."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("公开回复")
        NOTE = "note", _("内部备注")
        TRANSITION = "transition", _("状态变更")
        CHANGE = "change", _("字段变更")
        SLA = "sla", _("服务级别")
        URGE = "urge", _("督办")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="entry_ticket_time")]

    @property
    def from_status_label(self) -> str:
        return _choice_label(Status, self.from_status)

    @property
    def to_status_label(self) -> str:
        return _choice_label(Status, self.to_status)

    @property
    def change_lines(self) -> list[tuple[str, str, str]]:
        """The field changes as a reader sees them: the field's name and the values' labels
        in the reader's language (优先级：P2 高 → P1 紧急), never the stored codes."""
        lines = []
        for name, (before, after) in self.changes.items():
            try:
                field = Ticket._meta.get_field(name)
            except FieldDoesNotExist:
                lines.append((name, before, after))
                continue
            lines.append((str(field.verbose_name), _value_label(field, before), _value_label(field, after)))
        return lines


def _choice_label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


def _value_label(field, value) -> str:
    if field.choices and value in {str(key) for key, _label in field.flatchoices}:
        return str(dict((str(key), label) for key, label in field.flatchoices)[value])
    if isinstance(field, models.BooleanField) and value in ("True", "False"):
        return str(_("是") if value == "True" else _("否"))
    return value


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]


class Worklog(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="worklogs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(_("用时（分钟）"))
    note = models.CharField(_("工作内容"), max_length=500, blank=True)
    work_date = models.DateField(_("日期"), default=clock.today)
    created_at = models.DateTimeField(default=clock.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["work_date", "id"]


class TicketLink(models.Model):
    class Kind(models.TextChoices):
        RELATES = "relates", _("相关")
        DUPLICATES = "duplicates", _("重复于")
        CAUSED_BY = "caused_by", _("由…引起")

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RELATES)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="ticket_link_unique")
        ]


class SlaClock(models.Model):
    """One target's clock on one ticket. Ticking while ``segment_start`` is set;
    ``consumed_seconds`` is the working time used before the current segment."""

    class Target(models.TextChoices):
        RESPONSE = "response", _("响应")
        ARRIVAL = "arrival", _("到场")
        RESOLUTION = "resolution", _("解决")

    class State(models.TextChoices):
        RUNNING = "running", _("计时中")
        PAUSED = "paused", _("已暂停")
        MET = "met", _("已达成")
        BREACHED = "breached", _("已超时")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    target = models.CharField(max_length=12, choices=Target.choices)
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar", on_delete=models.PROTECT, related_name="+"
    )
    budget_seconds = models.PositiveIntegerField()
    warn_percent = models.PositiveSmallIntegerField(default=80)
    consumed_seconds = models.BigIntegerField(default=0)
    segment_start = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["ticket", "target"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target"], name="sla_clock_unique")
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="sla_clock_due"),
            models.Index(fields=["warned_at", "warn_at"], name="sla_clock_warn"),
        ]

    @property
    def ticking(self) -> bool:
        return self.segment_start is not None


class SavedView(models.Model):
    """A user's named set of ticket-list filters."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique")
        ]
