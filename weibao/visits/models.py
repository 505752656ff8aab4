"""现场服务: planned inspection rounds and visits dispatched from a ticket, with the
engineer's check-in and check-out and the requester's confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
    departed_at = models.DateTimeField(_("离场时间"), null=True, blank=True)
    work_done = models.TextField(_("工作内容"), blank=True)
    parts_used = models.TextField(_("更换/使用部件"), blank=True)
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
