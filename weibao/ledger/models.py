"""The ledger app's records. Every business record belongs to one contract.

Clauses of the seed contract: 七 payment (milestones, invoices, receipts, the handover
checklist), 九 breach (penalty rules and entries, breach notices), 十 force majeure,
十一.2 renewal, and the monthly sealed snapshot of the obligations matrix.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel, ContractScopedQuerySet
from weibao.core import clock

MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


# -- the contract's own numbers, as the importer reads them (issue 16 item 2) --------


class ContractTerms(ContractScopedModel):
    """The periods and limits a contract sets, as data: the services read them, the
    importer (``ledger.importer``) fills them when a person confirms a draft. Without a
    row, the seed contract's numbers apply (``ledger.terms.terms_for``)."""

    advance_ratio = models.DecimalField(_("预付款比例"), max_digits=7, decimal_places=6, null=True, blank=True)
    remedy_working_days = models.PositiveSmallIntegerField(_("违约补救期限（工作日）"), default=5)
    force_majeure_days = models.PositiveSmallIntegerField(_("不可抗力证明与交接期限（日）"), default=15)
    max_renewals = models.PositiveSmallIntegerField(_("最多续签次数"), default=2)
    max_total_years = models.PositiveSmallIntegerField(_("总服务期限上限（年）"), default=3)
    renewal_window_days = models.PositiveSmallIntegerField(_("期满前续签窗口（天）"), default=15)
    min_resident_staff = models.PositiveSmallIntegerField(_("常驻人员下限"), default=1)
    sources = models.JSONField(_("来源语句"), default=dict, blank=True)  # {field: sentence}

    class Meta:
        verbose_name = _("合同约定参数")
        verbose_name_plural = _("合同约定参数")
        constraints = [
            models.UniqueConstraint(fields=["contract"], name="contract_terms_one_per_contract"),
            models.CheckConstraint(condition=Q(remedy_working_days__gte=1, force_majeure_days__gte=1,
                                               max_total_years__gte=1, renewal_window_days__gte=1),
                                   name="contract_terms_positive"),
        ]


# -- clause 七: payment ------------------------------------------------------------------


class PaymentMilestone(ContractScopedModel):
    """One instalment of the contract price: the seed has two, the 30 % advance after
    signing and before service starts, and the balance after the service ends and the
    handover is complete. Paid only when the money is received (clause 七.1)."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("预付款")
        INSTALMENT = "instalment", _("进度款")
        FINAL = "final", _("尾款")

    sequence = models.PositiveSmallIntegerField(_("期次"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    ratio = models.DecimalField(_("比例"), max_digits=7, decimal_places=6, null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), validators=POSITIVE, **MONEY)
    condition = models.CharField(_("付款条件"), max_length=300, blank=True)
    clause = models.CharField(_("条款"), max_length=20, default="七.2")
    due_on = models.DateField(_("应付日期"), null=True, blank=True)
    # Clause 七.2: the balance is payable only after the handover is complete.
    requires_handover = models.BooleanField(_("须交接完成"), default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("付款节点")
        verbose_name_plural = _("付款节点")
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="milestone_sequence_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.name}"


class Invoice(ContractScopedModel):
    """An invoice issued by the vendor. Issuing it pays nothing (clause 七.1)."""

    milestone = models.ForeignKey(PaymentMilestone, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("发票号码"), max_length=40)
    amount = models.DecimalField(_("金额（元）"), validators=POSITIVE, **MONEY)
    issued_on = models.DateField(_("开票日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        ordering = ["contract", "issued_on", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="invoice_number_unique")]

    def __str__(self) -> str:
        return self.number


class PaymentReceipt(ContractScopedModel):
    """Money received into the vendor's account: what makes a milestone paid."""

    milestone = models.ForeignKey(PaymentMilestone, on_delete=models.PROTECT, related_name="receipts")
    amount = models.DecimalField(_("到账金额（元）"), validators=POSITIVE, **MONEY)
    received_on = models.DateField(_("到账日期"))
    reference = models.CharField(_("银行流水号"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("到账记录")
        verbose_name_plural = _("到账记录")
        ordering = ["contract", "received_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive")]


class HandoverItem(ContractScopedModel):
    """One line of the handover (交接) checklist the bureau ticks; all ticked opens the
    final milestone."""

    sequence = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("交接事项"), max_length=200)
    ticked_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("交接事项")
        verbose_name_plural = _("交接事项")
        ordering = ["contract", "sequence"]
        constraints = [models.UniqueConstraint(fields=["contract", "sequence"], name="handover_sequence_unique")]

    def __str__(self) -> str:
        return self.title


# -- clause 九: penalties ------------------------------------------------------------------


class PenaltyRule(ContractScopedModel):
    """A penalty clause as data: 违约金 = base × rate (once, or per day late), capped."""

    class Base(models.TextChoices):
        CONTRACT_TOTAL = "total", _("合同总金额")
        AMOUNT_DUE = "amount_due", _("应付金额")

    class Per(models.TextChoices):
        ONCE = "once", _("每次")
        DAY = "day", _("每日")

    class Party(models.TextChoices):
        A = "a", _("甲方")
        B = "b", _("乙方")

    key = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    clause = models.CharField(_("条款"), max_length=20)
    liable = models.CharField(_("违约方"), max_length=1, choices=Party.choices)
    base = models.CharField(_("计算基数"), max_length=12, choices=Base.choices)
    rate = models.DecimalField(_("比率"), max_digits=9, decimal_places=8, validators=[MinValueValidator(Decimal("0"))])
    per = models.CharField(_("计算方式"), max_length=4, choices=Per.choices)
    cap = models.DecimalField(_("上限（元）"), null=True, blank=True, **MONEY)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("违约金规则")
        verbose_name_plural = _("违约金规则")
        ordering = ["contract", "clause", "key"]
        constraints = [models.UniqueConstraint(fields=["contract", "key"], name="penalty_rule_key_unique")]

    def __str__(self) -> str:
        return f"{self.clause} {self.name}"


class PenaltyEntry(ContractScopedModel):
    """One penalty incurred under a rule. Its amount is computed (ledger.money), never typed;
    a per-day entry accrues until ``accrual_end`` (the day the money came)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已审批")
        ACKNOWLEDGED = "acknowledged", _("甲方已确认")
        WITHDRAWN = "withdrawn", _("已撤销")

    rule = models.ForeignKey(PenaltyRule, on_delete=models.PROTECT, related_name="entries")
    milestone = models.ForeignKey(PaymentMilestone, null=True, blank=True, on_delete=models.PROTECT, related_name="penalties")
    description = models.CharField(_("事由"), max_length=500)
    occurred_on = models.DateField(_("发生日期"))
    accrual_end = models.DateField(_("计至"), null=True, blank=True)
    base_amount = models.DecimalField(_("计算基数（元）"), **MONEY)
    days = models.PositiveIntegerField(_("天数"), default=1)
    amount = models.DecimalField(_("违约金（元）"), **MONEY)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("违约金")
        verbose_name_plural = _("违约金")
        ordering = ["contract", "-occurred_on", "-id"]
        constraints = [
            # One accruing late-payment entry per milestone (the daily task updates it).
            models.UniqueConstraint(fields=["rule", "milestone"], condition=Q(milestone__isnull=False),
                                    name="penalty_one_per_milestone"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.name} {self.amount}"


class PenaltyEventQuerySet(ContractScopedQuerySet):
    contract_lookup = "entry__contract"


class PenaltyEvent(models.Model):
    """The history of a penalty entry: created, re-accrued, approved, acknowledged, withdrawn."""

    entry = models.ForeignKey(PenaltyEntry, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=clock.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY)
    note = models.CharField(max_length=500, blank=True)

    objects = PenaltyEventQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "at", "id"]


# -- clause 九.1: breach notices ----------------------------------------------------------


class BreachNotice(ContractScopedModel):
    """A written notice requiring the other party to perform (clause 九.1); the remedy is
    due within 5 working days of its issue, by the legal-period rules."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待补救")
        REMEDIED = "remedied", _("已补救")
        ESCALATED = "escalated", _("已升级处理")
        DAMAGES = "damages", _("已主张赔偿")

    number = models.CharField(_("文号"), max_length=40)
    issuing_party = models.CharField(_("发出方"), max_length=1, choices=PenaltyRule.Party.choices)
    clause = models.CharField(_("违反条款"), max_length=40)
    description = models.TextField(_("违约事实"))
    required_action = models.TextField(_("要求"), blank=True)
    issued_on = models.DateField(_("发出日期"))
    remedy_working_days = models.PositiveSmallIntegerField(_("补救期限（工作日）"), default=5)
    remedy_due_on = models.DateField(_("补救截止日"))
    deadline_provisional = models.BooleanField(default=False)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.CharField(_("结果说明"), max_length=500, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("违约通知")
        verbose_name_plural = _("违约通知")
        ordering = ["contract", "-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="breach_number_unique")]

    def __str__(self) -> str:
        return self.number


# -- clause 十: force majeure -------------------------------------------------------------


class ForceMajeureEvent(ContractScopedModel):
    """An event of force majeure: notify at once, certificate and handover within 15 days."""

    party = models.CharField(_("受影响方"), max_length=1, choices=PenaltyRule.Party.choices)
    description = models.TextField(_("事件情况"))
    occurred_on = models.DateField(_("发生日期"))
    notified_at = models.DateTimeField(_("通知时间"))
    period_days = models.PositiveSmallIntegerField(default=15)
    certificate_due_on = models.DateField(_("证明文件截止日"))
    handover_due_on = models.DateField(_("交接截止日"))
    certificate_received_on = models.DateField(_("证明文件提交日"), null=True, blank=True)
    handover_done_on = models.DateField(_("交接完成日"), null=True, blank=True)
    claim = models.CharField(_("主张"), max_length=200, blank=True)  # 延期 / 部分不能履行 / 不能履行
    reminded_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("不可抗力事件")
        verbose_name_plural = _("不可抗力事件")
        ordering = ["contract", "-occurred_on", "-id"]


class ForceMajeureDocument(models.Model):
    event = models.ForeignKey(ForceMajeureEvent, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("文件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="force_majeure/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["event", "uploaded_at"]


# -- clause 十一.2: renewal ---------------------------------------------------------------


class Renewal(ContractScopedModel):
    """A renewal decided: ``contract`` is the period renewed, ``successor`` the new one."""

    successor = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(_("续签理由"))
    carried_over = models.JSONField(default=dict)  # what was copied for review, by kind
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("续签")
        verbose_name_plural = _("续签")
        constraints = [models.UniqueConstraint(fields=["contract"], name="renewal_once_per_period")]


# -- the obligations matrix's monthly snapshot ------------------------------------------


class SnapshotQuerySet(ContractScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("obligation snapshots are sealed")

    def delete(self):
        raise PermissionError("obligation snapshots are sealed")


class ObligationSnapshot(ContractScopedModel):
    """The obligations matrix of one month, frozen: hash-chained per contract like the
    audit trail (``hash`` covers the rows and the previous snapshot's hash)."""

    month = models.DateField(_("月份"))  # the first day of the month
    rows = models.JSONField()
    taken_at = models.DateTimeField(default=clock.now)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("履约月度快照")
        verbose_name_plural = _("履约月度快照")
        ordering = ["contract", "-month"]
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="snapshot_month_unique")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("obligation snapshots are sealed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("obligation snapshots are sealed")
