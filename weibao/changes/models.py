"""The changes app's records. Every business record belongs to one contract.

Clause 五.5: the platform's data belongs to the bureau; the vendor changes the platform
only with the bureau's consent (a change request, 变更) and uses its data only under an
approved data-access request (数据使用申请).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel
from weibao.core import clock


class ChangeSettings(ContractScopedModel):
    """How a contract approves its changes (one row per contract, made on first use)."""

    pm_approval_first = models.BooleanField(_("普通变更须先经项目经理同意"), default=False)
    retro_approval_hours = models.PositiveIntegerField(
        _("紧急变更补批时限（小时）"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    last_number = models.PositiveIntegerField(default=0)  # CH-2026-0001, per contract

    class Meta:
        verbose_name = _("变更审批设置")
        verbose_name_plural = _("变更审批设置")
        constraints = [models.UniqueConstraint(fields=["contract"], name="change_settings_unique")]


class StandardChangeTemplate(ContractScopedModel):
    """A routine change the bureau approved once (标准变更): changes made from it start
    without a per-change approval."""

    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("变更内容"))
    implementation_plan = models.TextField(_("实施方案"))
    rollback_plan = models.TextField(_("回退方案"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("标准变更模板")
        verbose_name_plural = _("标准变更模板")
        ordering = ["contract", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def usable(self) -> bool:
        return self.active and self.approved_at is not None


class DataAccessRequest(ContractScopedModel):
    """A request to use the platform's data (数据使用申请), approved by the bureau for a
    purpose, a scope, systems and a period; active only within it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        REVOKED = "revoked", _("已撤销")

    number = models.CharField(_("编号"), max_length=32)
    purpose = models.CharField(_("用途"), max_length=500)
    data_scope = models.TextField(_("数据范围"))
    systems = models.CharField(_("涉及系统"), max_length=500)
    period_start = models.DateField(_("使用开始日期"))
    period_end = models.DateField(_("使用结束日期"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(_("审批意见"), max_length=1000, blank=True)
    second_factor = models.BooleanField(_("经二次验证签署"), default=False)

    class Meta:
        verbose_name = _("数据使用申请")
        verbose_name_plural = _("数据使用申请")
        ordering = ["contract", "-requested_at"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="data_access_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.purpose}"

    def allows(self, day: dt.date) -> bool:
        """Whether this approval allows work on the platform's data on ``day``."""
        return self.status == self.Status.APPROVED and self.period_start <= day <= self.period_end

    def state(self, day: dt.date) -> str:
        """requested / active / expired / pending / rejected / revoked, for lists."""
        if self.status != self.Status.APPROVED:
            return self.status
        if day > self.period_end:
            return "expired"
        return "active" if day >= self.period_start else "pending"


class ChangeRequest(ContractScopedModel):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("标准变更")
        NORMAL = "normal", _("普通变更")
        EMERGENCY = "emergency", _("紧急变更")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        IMPLEMENTING = "implementing", _("实施中")
        IMPLEMENTED = "implemented", _("已实施（待评审）")
        ROLLED_BACK = "rolled_back", _("已回退（待评审）")
        CLOSED = "closed", _("已关闭")
        REJECTED = "rejected", _("已驳回")
        CANCELLED = "cancelled", _("已取消")

    class Risk(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    class Outcome(models.TextChoices):
        SUCCESSFUL = "successful", _("成功")
        PARTIAL = "partial", _("部分成功")
        FAILED = "failed", _("失败")

    number = models.CharField(_("编号"), max_length=32)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    template = models.ForeignKey(StandardChangeTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    title = models.CharField(_("变更内容"), max_length=200)
    description = models.TextField(_("变更说明"), blank=True)
    reason = models.TextField(_("变更原因"))
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.MEDIUM)
    impact = models.TextField(_("影响范围"), blank=True)
    components = models.ManyToManyField("servicedesk.ServiceComponent", blank=True, related_name="+", verbose_name=_("涉及服务"))
    implementation_plan = models.TextField(_("实施方案"))
    rollback_plan = models.TextField(_("回退方案"))
    planned_start = models.DateTimeField(_("计划开始"))
    planned_end = models.DateTimeField(_("计划结束"))
    implementer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("实施人"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # An emergency change started before approval: by when the bureau must approve it.
    retro_due_at = models.DateTimeField(null=True, blank=True)
    touches_data = models.BooleanField(_("涉及平台数据"), default=False)
    data_access = models.ForeignKey(DataAccessRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="changes", verbose_name=_("数据使用批准"))
    tickets = models.ManyToManyField("servicedesk.Ticket", blank=True, related_name="+", verbose_name=_("关联工单"))
    review_outcome = models.CharField(_("评审结论"), max_length=16, choices=Outcome.choices, blank=True)
    review_notes = models.TextField(_("实施后评审"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["contract", "-planned_start"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="change_number_unique")]
        indexes = [models.Index(fields=["contract", "planned_start"], name="change_window_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ChangeApproval(models.Model):
    """One signed decision on a change: the PM's endorsement or the bureau's approval
    (retroactive for an emergency change already under way)."""

    class Step(models.TextChoices):
        PM = "pm", _("项目经理同意")
        BUREAU = "bureau", _("甲方审批")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("批准")
        REJECT = "reject", _("驳回")

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="approvals")
    step = models.CharField(_("环节"), max_length=8, choices=Step.choices)
    decision = models.CharField(_("结论"), max_length=8, choices=Decision.choices)
    comment = models.CharField(_("意见"), max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)
    second_factor = models.BooleanField(_("经二次验证签署"), default=False)
    retroactive = models.BooleanField(_("补批"), default=False)

    class Meta:
        verbose_name = _("变更审批")
        verbose_name_plural = _("变更审批")
        ordering = ["change", "at"]


class TicketDataMark(ContractScopedModel):
    """A ticket whose work touches the platform's data, and the approval that allowed it:
    the ticket cannot be closed until one is linked and valid (``services.data``)."""

    ticket = models.OneToOneField("servicedesk.Ticket", on_delete=models.CASCADE, related_name="+")
    data_access = models.ForeignKey(DataAccessRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket_marks")
    linked_on = models.DateField(null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("工单涉及数据")
        verbose_name_plural = _("工单涉及数据")
