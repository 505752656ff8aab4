"""The people app's records. Every business record belongs to one contract.

A member of a contract's vendor team has one ``StaffProfile`` there (人员档案); their
insurance policies, confidentiality agreements and certificates hang off it. Training
(技术培训, clause 四.2) is a plan agreed with the bureau and its sessions.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel
from weibao.core import clock


class StaffProfile(ContractScopedModel):
    """One worker on one contract's team: who employs them (clause 十一.4: party B itself,
    no subcontracting), what they do, and whether they are stationed on site (驻场)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profiles")
    employer = models.CharField(_("劳动关系所在单位"), max_length=200)
    position = models.CharField(_("岗位"), max_length=100, blank=True)
    resident = models.BooleanField(_("驻场"), default=False)
    resident_since = models.DateField(_("驻场起始日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    active = models.BooleanField(_("在岗"), default=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("人员档案")
        verbose_name_plural = _("人员档案")
        ordering = ["contract", "user__username"]
        constraints = [models.UniqueConstraint(fields=["contract", "user"], name="staff_profile_unique")]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


def _scan_path(instance, filename: str) -> str:
    # The stored name never carries the uploader's file name (it may hold a name or number).
    now = clock.now()
    return f"people/{instance.contract_id}/{now:%Y%m}/{type(instance).__name__.lower()}-{now:%d%H%M%S%f}"


class InsurancePolicy(ContractScopedModel):
    """Social or accident insurance of one worker (clause 五.2): covered on a day when a
    policy of that kind is valid on it."""

    class Kind(models.TextChoices):
        SOCIAL = "social", _("社会保险")
        ACCIDENT = "accident", _("意外伤害保险")

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="policies")
    kind = models.CharField(_("险种"), max_length=16, choices=Kind.choices)
    insurer = models.CharField(_("承保/参保机构"), max_length=200)
    policy_number = models.CharField(_("保单号/参保编号"), max_length=100)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("到期日期"))
    scan = models.FileField(_("扫描件"), upload_to=_scan_path, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("保险")
        verbose_name_plural = _("保险")
        ordering = ["profile", "kind", "-valid_until"]

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until


class ConfidentialityAgreement(ContractScopedModel):
    """A signed confidentiality agreement (保密协议); open-ended when no end date."""

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="agreements")
    signed_on = models.DateField(_("签订日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    scan = models.FileField(_("扫描件"), upload_to=_scan_path, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("保密协议")
        verbose_name_plural = _("保密协议")
        ordering = ["profile", "-signed_on"]

    def covers(self, day: dt.date) -> bool:
        return self.signed_on <= day and (self.valid_until is None or day <= self.valid_until)


class Qualification(ContractScopedModel):
    """A qualification or certificate (资质证书), e.g. a network engineer's certificate."""

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField(_("名称"), max_length=200)
    issuer = models.CharField(_("发证机构"), max_length=200, blank=True)
    number = models.CharField(_("证书编号"), max_length=100, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    scan = models.FileField(_("扫描件"), upload_to=_scan_path, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("资质证书")
        verbose_name_plural = _("资质证书")
        ordering = ["profile", "name"]


class AssignmentOverride(ContractScopedModel):
    """The PM's word that a worker flagged as non-compliant may still be assigned, with
    a reason, until a date (audited when granted and revoked)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=500)
    until = models.DateField(_("有效期至"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=clock.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("上岗特许")
        verbose_name_plural = _("上岗特许")
        ordering = ["-granted_at"]

    def in_force(self, day: dt.date) -> bool:
        return self.revoked_at is None and day <= self.until


# --- training (技术培训, clause 四.2) --------------------------------------------------------


class TrainingPlan(ContractScopedModel):
    """A year's training plan, agreed with the bureau (its liaison confirms it)."""

    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    planned_sessions = models.PositiveIntegerField(_("计划场次"), validators=[MaxValueValidator(500)])
    description = models.TextField(_("培训内容与安排"), blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("培训计划")
        verbose_name_plural = _("培训计划")
        ordering = ["contract", "-year"]
        constraints = [models.UniqueConstraint(fields=["contract", "year"], name="training_plan_year_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class TrainingSession(ContractScopedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        HELD = "held", _("已举办")
        CANCELLED = "cancelled", _("已取消")

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="sessions")
    topic = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    trainer = models.CharField(_("讲师"), max_length=100)
    materials = models.TextField(_("培训材料"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    signed_sheet = models.FileField(_("签到表（签字版）"), upload_to=_scan_path, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["contract", "starts_at"]

    def __str__(self) -> str:
        return self.topic


class TrainingAttendee(ContractScopedModel):
    """One of the bureau's staff invited to a session; ``attended`` from the signed sheet."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.CharField(_("单位/科室"), max_length=200, blank=True)
    attended = models.BooleanField(_("已出席"), default=False)

    class Meta:
        verbose_name = _("参训人员")
        verbose_name_plural = _("参训人员")
        ordering = ["session", "pk"]


class TrainingFeedback(ContractScopedModel):
    """A short survey answer: satisfaction 1–5 and a comment."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="feedback")
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    useful = models.BooleanField(_("内容对工作有帮助"), default=True)
    comment = models.CharField(_("意见建议"), max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("培训反馈")
        verbose_name_plural = _("培训反馈")
        ordering = ["session", "created_at"]
