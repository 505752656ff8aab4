"""现场服务: planned inspection rounds and visits dispatched from a ticket, with the
engineer's check-in and check-out and the requester's confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel
from weibao.core import clock


class Visit(ContractScopedModel):
    class Kind(models.TextChoices):
        PLANNED = "planned", _("计划巡检")
        DISPATCHED = "dispatched", _("工单派遣")

    class Status(models.TextChoices):
        PLANNED = "planned", _("已计划")
        ON_SITE = "on_site", _("已到场")
        DONE = "done", _("已完成")
        CONFIRMED = "confirmed", _("已确认")
        CANCELLED = "cancelled", _("已取消")

    class ConfirmationKind(models.TextChoices):
        BUREAU = "bureau", _("甲方确认")
        ON_BEHALF = "on_behalf", _("乙方代录请求人确认")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    ticket = models.ForeignKey(
        "servicedesk.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
        verbose_name=_("工单"),
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("工程师")
    )
    planned_start = models.DateTimeField(_("计划开始"))
    planned_end = models.DateTimeField(_("计划结束"))
    location = models.CharField(_("地点"), max_length=200)
    purpose = models.CharField(_("事由"), max_length=300)
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("签到人"),
    )
    departed_at = models.DateTimeField(_("离场时间"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("签退人"),
    )
    # Why the project manager signed in or out for the engineer (the last such override).
    override_reason = models.CharField(_("代签原因"), max_length=500, blank=True)
    work_done = models.TextField(_("工作内容"), blank=True)
    parts_used = models.TextField(_("更换/使用部件"), blank=True)
    # Who confirmed, and how: a bureau account's own confirmation, or the requester's
    # on-site confirmation recorded by a vendor user (confirmed_by) on their behalf.
    confirmation_kind = models.CharField(
        _("确认方式"), max_length=12, choices=ConfirmationKind.choices, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("确认记录人"),
    )
    confirmed_by_name = models.CharField(_("确认人"), max_length=100, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmation_note = models.CharField(_("确认意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("现场服务")
        verbose_name_plural = _("现场服务")
        ordering = ["planned_start", "id"]
        indexes = [models.Index(fields=["contract", "planned_start"], name="visit_calendar")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gt=models.F("planned_start")), name="visit_planned_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.planned_start:%Y-%m-%d} {self.purpose}"

    @property
    def confirmation_text(self) -> str:
        """Who confirmed, said plainly: the bureau itself, or a vendor user on the
        requester's behalf. Confirmations recorded before the distinction show the name."""
        recorder = _account_name(self.confirmed_by)
        if self.confirmation_kind == self.ConfirmationKind.BUREAU:
            text = gettext("甲方 %(account)s 确认") % {"account": recorder}
            if self.confirmed_by_name and self.confirmed_by_name != recorder:
                text += " · " + gettext("签字人 %(name)s") % {"name": self.confirmed_by_name}
            return text
        if self.confirmation_kind == self.ConfirmationKind.ON_BEHALF:
            return gettext("由乙方 %(account)s 代请求人 %(name)s 记录确认") % {
                "account": recorder, "name": self.confirmed_by_name,
            }
        return self.confirmed_by_name


def _account_name(user) -> str:
    if user is None:
        return "—"
    return getattr(user, "display_name", "") or user.get_username()
