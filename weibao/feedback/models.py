"""好差评: the five-level rating of a finished ticket, and the rectification (整改) a
dissatisfied rating opens, closed only after a recorded call-back (回访)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel
from weibao.core import clock


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


DISSATISFIED_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class Rating(ContractScopedModel):
    class Source(models.TextChoices):
        PORTAL = "portal", _("门户")
        API = "api", _("接口")
        #: Given by the requester on a call-back and recorded by the vendor (坐席、项目经理).
        PHONE = "phone", _("电话回访代录")
        WEB = "web", _("系统")

    ticket = models.OneToOneField(
        "servicedesk.Ticket", on_delete=models.PROTECT, related_name="rating"
    )
    level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("评价时间"), default=clock.now)
    #: When the requester's own rating replaced one the vendor recorded by phone (once).
    superseded_at = models.DateTimeField(_("请求人本人改评时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contract", "created_at"], name="rating_period")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_level_display()}"

    @property
    def dissatisfied(self) -> bool:
        return self.level in DISSATISFIED_LEVELS

    @property
    def relayed(self) -> bool:
        """Recorded by the vendor on a call-back: the requester's words, not their own hand."""
        return self.source == self.Source.PHONE


class Rectification(ContractScopedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已办结")

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", _("回访满意")
        ACCEPTED = "accepted", _("认可整改")
        STILL_DISSATISFIED = "still_dissatisfied", _("仍不满意")
        UNREACHABLE = "unreachable", _("无法联系")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(_("整改期限"))
    #: The level of the rating that opened (or reopened) it; the rating itself may since
    #: have been replaced by the requester's own. Null for rows whose level was not known.
    opened_level = models.PositiveSmallIntegerField(
        _("开启整改的评价"), choices=Level.choices, null=True, blank=True
    )
    plan = models.TextField(_("整改措施"), blank=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_notes = models.TextField(_("回访记录"), blank=True)
    callback_outcome = models.CharField(
        _("回访结果"), max_length=20, choices=Outcome.choices, blank=True
    )
    created_at = models.DateTimeField(default=clock.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["status", "due_on"]
