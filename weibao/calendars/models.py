"""Business calendars and each contract's edits to the official holiday arrangement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel
from weibao.core import clock


class BusinessCalendar(ContractScopedModel):
    """When an SLA clock runs: all the time (7×24) or in working hours on working days."""

    class Kind(models.TextChoices):
        ALWAYS = "24x7", _("7×24 小时")
        WORKDAY = "workday", _("工作日工作时间")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    # [["09:00", "12:00"], ["13:30", "17:30"]], Asia/Shanghai; empty for 7×24.
    hours = models.JSONField(_("工作时段"), default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("服务日历")
        verbose_name_plural = _("服务日历")
        ordering = ["contract", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="calendar_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class HolidayDay(ContractScopedModel):
    """A contract's own word on one date, overriding the official arrangement:
    an extra rest day, an extra working day (调休), or an imported year's entry."""

    class Kind(models.TextChoices):
        REST = "rest", _("休息日")
        WORK = "work", _("工作日（调休上班）")

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("说明"), max_length=100, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["contract", "date"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "date"], name="holiday_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class HolidayYear(ContractScopedModel):
    """A year whose official arrangement a project manager imported for a contract
    (for years the built-in data does not have yet, e.g. 2027)."""

    year = models.PositiveIntegerField(_("年份"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    imported_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("已导入年份")
        verbose_name_plural = _("已导入年份")
        ordering = ["contract", "year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="holiday_year_unique")
        ]

    def __str__(self) -> str:
        return str(self.year)


class NationalHolidayYear(models.Model):
    """A year's arrangement the system administrator loaded for the whole installation
    from the State Council's notice (the arrangement is national; each contract keeps
    its own ``HolidayDay`` overrides on top)."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    notice_text = models.TextField(_("通知原文"), blank=True)
    imported_at = models.DateTimeField(default=clock.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("全国节假日安排")
        verbose_name_plural = _("全国节假日安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class NationalHolidayDay(models.Model):
    """One rest day or make-up working day a loaded notice names (it may lie in the
    previous year: "2022年12月31日至2023年1月2日")."""

    notice = models.ForeignKey(NationalHolidayYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=HolidayDay.Kind.choices)
    name = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("全国节假日")
        verbose_name_plural = _("全国节假日")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "date"], name="national_holiday_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
