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
from weibao.core.statements import Statement


class ContractQuerySet(ContractScopedQuerySet):
    contract_lookup = "id"


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("履行中")
        SUSPENDED = "suspended", _("暂停")
        TERMINATED = "terminated", _("已终止")
        EXPIRED = "expired", _("已到期")
        RENEWED = "renewed", _("已续签")

    number = models.CharField(_("合同编号"), max_length=64, unique=True)
    name = models.CharField(_("项目名称"), max_length=300)
    procurement_number = models.CharField(_("采购编号"), max_length=64, blank=True)
    party_a = models.CharField(_("甲方"), max_length=200)
    party_b = models.CharField(_("乙方"), max_length=200)
    party_a_representative = models.CharField(_("甲方代表"), max_length=100, blank=True)
    party_a_address = models.CharField(_("甲方地址"), max_length=300, blank=True)
    party_a_bank = models.CharField(_("甲方开户行"), max_length=200, blank=True)
    party_a_account = models.CharField(_("甲方账号"), max_length=64, blank=True)
    party_b_representative = models.CharField(_("乙方代表"), max_length=100, blank=True)
    party_b_address = models.CharField(_("乙方地址"), max_length=300, blank=True)
    party_b_bank = models.CharField(_("乙方开户行"), max_length=200, blank=True)
    party_b_account = models.CharField(_("乙方账号"), max_length=64, blank=True)
    amount = models.DecimalField(
        _("合同金额（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    # As written in the signed document (人民币大写); checked against ``amount`` on save by
    # contracts.services, never derived from it, so a disagreement is visible.
    amount_in_words = models.CharField(_("金额大写"), max_length=100, blank=True)
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    service_scope = models.TextField(_("服务范围"), blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    term_start = models.DateField(_("服务开始"))
    term_end = models.DateField(_("服务结束"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Clause 十一.2: a renewal is the next contract period, linked to the one it renews.
    renewal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewed_by",
        verbose_name=_("续签自"),
    )
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


class ContractDocumentQuerySet(ContractScopedQuerySet):
    pass


class ContractDocument(models.Model):
    """A signed document of the contract (the scanned contract, a supplementary agreement)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("文件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="contracts/%Y/%m/")
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=clock.now, editable=False)

    objects = ContractDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同文件")
        verbose_name_plural = _("合同文件")
        ordering = ["contract", "-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ContractChange(models.Model):
    """One change of the contract record: which fields, before and after, who and why.
    Written only by ``contracts.services.change_contract``, which also audits it."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(default=clock.now, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict)  # {field: [before, after]}
    reason = models.CharField(_("原因"), max_length=500, blank=True)

    objects = ContractDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同变更记录")
        verbose_name_plural = _("合同变更记录")
        ordering = ["contract", "-at", "-id"]


class MembershipQuerySet(ContractScopedQuerySet):
    def active_for(self, user):
        """The memberships that give ``user`` access: active, and not held by one of the
        three administrators (三员分立: an administrator's contract roles count for nothing,
        even if a row was written around ``add_member``).

        A user read with their grant (as each request's user is, accounts.backends) is
        answered from it: the query every request makes then needs no join to the users
        and grants (half its cost, decision 0033)."""
        known, grant = _grant_in_hand(user)
        if known:
            return self.none() if grant is not None else self.filter(user=user, active=True)
        return self.filter(user=user).giving_access()

    def giving_access(self):
        """The memberships that count: active, not an administrator's."""
        return self.filter(active=True, user__admin_role_grant__isnull=True)

    def active_with_contracts(self, user) -> list:
        """``active_for(user)`` with each membership's contract read along, by a statement
        compiled once: every request asks, and every service a task or a test calls outside
        one. For a user read with their grant (each request's) without the join to it."""
        if self.query.has_filters() or self._db or self.query.is_sliced or self.query.select_for_update:
            return list(self.active_for(user).select_related("contract").order_by())
        known, grant = _grant_in_hand(user)
        if known:
            return [] if grant is not None else _ACTIVE_WITH_CONTRACTS.objects(user.pk)
        return _GIVING_ACCESS_WITH_CONTRACTS.objects(user.pk)


def _grant_in_hand(user) -> tuple[bool, object]:
    """Whether ``user`` was read with their administrator grant, and the grant (or None)."""
    cached = getattr(getattr(user, "_state", None), "fields_cache", {})
    return ("admin_role_grant" in cached, cached.get("admin_role_grant"))


_ACTIVE_WITH_CONTRACTS = Statement(
    lambda user_id: Membership.objects.filter(user_id=user_id, active=True).select_related("contract").order_by()
)
_GIVING_ACCESS_WITH_CONTRACTS = Statement(
    lambda user_id: Membership.objects.filter(user_id=user_id).giving_access().select_related("contract").order_by()
)


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
