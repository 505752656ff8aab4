"""Contracts are the tenants; membership says who works on which, in which role."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weibao.contracts.roles import BUREAU_ROLES, VENDOR_ROLES, ContractRole
from weibao.contracts.scoping import ContractScopedQuerySet
from weibao.core import clock


class ContractQuerySet(ContractScopedQuerySet):
    contract_lookup = "id"


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("履行中")
        SUSPENDED = "suspended", _("暂停")
        ENDED = "ended", _("已到期")
        TERMINATED = "terminated", _("已终止")

    number = models.CharField(_("合同编号"), max_length=64, unique=True)
    name = models.CharField(_("项目名称"), max_length=300)
    procurement_number = models.CharField(_("采购编号"), max_length=64, blank=True)
    party_a = models.CharField(_("甲方"), max_length=200)
    party_b = models.CharField(_("乙方"), max_length=200)
    party_a_representative = models.CharField(_("甲方代表"), max_length=100, blank=True)
    party_b_bank = models.CharField(_("乙方开户行"), max_length=200, blank=True)
    party_b_account = models.CharField(_("乙方账号"), max_length=64, blank=True)
    amount = models.DecimalField(
        _("合同金额（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    term_start = models.DateField(_("服务开始"))
    term_end = models.DateField(_("服务结束"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-term_start", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")), name="contract_term_ordered"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def term_days(self) -> int:
        """Days of service, both ends included (used by the daily-rate proration)."""
        return (self.term_end - self.term_start).days + 1


class MembershipQuerySet(ContractScopedQuerySet):
    def active_for(self, user):
        """The memberships that give ``user`` access: active, and not held by one of the
        three administrators (三员分立: an administrator's contract roles count for nothing,
        even if a row was written around ``add_member``)."""
        return self.filter(user=user, active=True, user__admin_role_grant__isnull=True)


class Membership(models.Model):
    """A user's role on a contract. A user may hold several roles on one contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=32, choices=ContractRole.choices)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同成员")
        verbose_name_plural = _("合同成员")
        constraints = [
            models.UniqueConstraint(fields=["contract", "user", "role"], name="membership_unique")
        ]
        ordering = ["contract", "role", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.contract.number} · {self.get_role_display()}"

    @property
    def side(self) -> str:
        if self.role in VENDOR_ROLES:
            return "vendor"
        if self.role in BUREAU_ROLES:
            return "bureau"
        return "audit"
