"""Calendar pages for the project manager: business calendars, the holiday year view
with the contract's edits, yearly import, and a deadline / legal-period calculator."""

from __future__ import annotations

import calendar as monthcal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.calendars import engine, services
from weibao.calendars.models import BusinessCalendar, HolidayDay, HolidayYear, NationalHolidayYear
from weibao.contracts.access import can, require, requires
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.params import (
    BadParameter,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_id,
    parse_positive_int,
    parse_year,
)


def _managed_contract(request):
    contract = getattr(request, "contract", None)
    if contract is None:
        raise PermissionDenied
    require(request.user, contract.pk, Capability.MANAGE_SLA)
    return contract


def _year(request) -> int:
    year = parse_year(request.GET.get("year"), first=engine.FIRST_YEAR, last=engine.LAST_YEAR)
    return year or min(max(clock.local_now().year, engine.FIRST_YEAR), engine.LAST_YEAR)


def _months(contract_id: int, year: int):
    statuses = services.year_status(contract_id, year)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in monthcal.Calendar().monthdatescalendar(year, month):
            days = []
            for day in week:
                if day.month != month:
                    days.append(None)
                    continue
                working, source, name = statuses[day]
                days.append({"date": day, "working": working, "source": source, "name": name})
            weeks.append(days)
        months.append({"number": month, "weeks": weeks})
    return months


@requires(Capability.MANAGE_SLA)
@login_required
def home(request):
    contract = _managed_contract(request)
    year = _year(request)
    rules = services.day_rules_for(contract.pk)
    calc = {}
    calendars = BusinessCalendar.objects.filter(contract=contract)
    if request.GET.get("calc") == "deadline":
        calc = _deadline_calc(request, calendars, contract)
    elif request.GET.get("calc") == "period":
        calc = _period_calc(request, contract)
    context = {
        "contract": contract,
        "year": year,
        "years": range(max(engine.FIRST_YEAR, year - 2), min(engine.LAST_YEAR, year + 2) + 1),
        "uncovered": year not in rules.covered_years,
        "imported": HolidayYear.objects.filter(contract=contract, year=year).first(),
        "months": _months(contract.pk, year),
        "calendars": calendars,
        "overrides": HolidayDay.objects.filter(contract=contract, date__year=year),
        "kinds": HolidayDay.Kind.choices,
        "calendar_kinds": BusinessCalendar.Kind.choices,
        "calc": calc,
        "query": request.GET,
    }
    return render(request, "calendars/home.html", context)


def _deadline_calc(request, calendars, contract):
    result = {"kind": "deadline"}
    try:
        # BadParameter is a ValueError: the calculator shows its one message in place.
        chosen = calendars.get(pk=parse_id(request.GET.get("calendar")) or 0)
        start = parse_datetime(request.GET.get("start"), "start", first=engine.FIRST_YEAR, last=engine.LAST_YEAR)
        minutes = parse_positive_int(request.GET.get("minutes"), "minutes", minimum=0, maximum=10 * 365 * 24 * 60)
        if start is None or minutes is None:
            raise ValueError
        answer = services.deadline(chosen, start, minutes)
        result.update(value=answer.value.astimezone(clock.SHANGHAI), warning=answer.warning)
    except (ValueError, BusinessCalendar.DoesNotExist, engine.OutOfRange):
        result["error"] = _("请选择日历，并填写有效的开始时间和分钟数。")
    return result


def _period_calc(request, contract):
    result = {"kind": "period"}
    try:
        # A period may run ten years past its start: the start stays that far inside the engine.
        start = parse_date(request.GET.get("from"), "from", first=engine.FIRST_YEAR, last=engine.LAST_YEAR - 11)
        days = parse_positive_int(request.GET.get("days"), "days", maximum=3650)
        rule = parse_choice(request.GET.get("rule"), "rule", services.PeriodRule.CHOICES)
        if start is None or days is None or rule is None:
            raise ValueError
        answer = services.legal_period(contract.pk, start, days, rule)
        result.update(value=answer.value, ends_at=answer.ends_at, warning=answer.warning)
    except ValueError:
        result["error"] = _("请填写有效的起算日期、天数（1–3650）和计算规则。")
    return result


@requires(Capability.MANAGE_SLA)
@login_required
@require_POST
def calendar_create(request):
    contract = _managed_contract(request)
    name = request.POST.get("name", "").strip()[:100]
    kind = request.POST.get("kind", "")
    hours_text = request.POST.get("hours", "")
    try:
        if not name:
            raise ValueError(_("请填写名称。"))
        if kind not in BusinessCalendar.Kind.values:
            raise ValueError(_("请选择类型。"))
        if BusinessCalendar.objects.filter(contract=contract, name=name).exists():
            raise ValueError(_("该合同已有同名日历。"))
        hours = [part.strip().split("-") for part in hours_text.split(",") if part.strip()]
        services.create_calendar(contract, name=name, kind=kind, hours=hours, by=request.user)
        messages.success(request, _("已创建日历“%(name)s”。") % {"name": name})
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("calendars:home")


@requires(Capability.MANAGE_SLA)
@login_required
@require_POST
def holiday_set(request):
    contract = _managed_contract(request)
    try:
        day = parse_date(request.POST.get("date"), "date", first=engine.FIRST_YEAR, last=engine.LAST_YEAR)
    except BadParameter as error:
        messages.error(request, error.message)
        return redirect("calendars:home")
    if day is None:
        messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
        return redirect("calendars:home")
    kind = request.POST.get("kind", "")
    if kind == "clear":
        entry = HolidayDay.objects.filter(contract=contract, date=day).first()
        if entry:
            services.remove_holiday(entry, by=request.user)
            messages.success(request, _("已恢复 %(day)s 为官方安排。") % {"day": day})
    elif kind in HolidayDay.Kind.values:
        services.set_holiday(contract, day, kind, request.POST.get("name", "")[:100], by=request.user)
        messages.success(request, _("已更新 %(day)s。未结工单的时限已按新日历重算。") % {"day": day})
    else:
        messages.error(request, _("请选择类型。"))
    return redirect(f"/calendars/?year={day.year}")


@requires(Capability.MANAGE_SLA)
@login_required
@require_POST
def holiday_import(request):
    contract = _managed_contract(request)
    try:
        year = parse_year(request.POST.get("year"), first=engine.FIRST_YEAR, last=engine.LAST_YEAR)
    except BadParameter as error:
        messages.error(request, error.message)
        return redirect("calendars:home")
    if year is None:
        messages.error(request, _("请填写年份。"))
        return redirect("calendars:home")
    text = request.POST.get("text", "")
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > 100_000:
            messages.error(request, _("文件过大（上限 100 KB）。"))
            return redirect("calendars:home")
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    try:
        count = services.import_year(
            contract, year, text, source=request.POST.get("source", "") or (upload.name if upload else ""),
            by=request.user,
        )
        messages.success(request, _("已导入 %(year)d 年 %(n)d 条安排。") % {"year": year, "n": count})
    except services.HolidayFileError as error:
        messages.error(request, str(error))
    return redirect(f"/calendars/?year={year}")


NOTICE_MAX_CHARS = 20000


@requires(Capability.MANAGE_SLA)
@login_required
def notice(request):
    """Paste the State Council's notice: a preview of every day it names, then a
    confirmed load for this contract or, by the system administrator, the installation."""
    contract = getattr(request, "contract", None)
    for_contract = contract is not None and can(request.user, contract.pk, Capability.MANAGE_SLA)
    for_installation = request.user.is_system_admin
    if not (for_contract or for_installation):
        raise PermissionDenied
    scopes = (["contract"] if for_contract else []) + (["national"] if for_installation else [])
    context = {
        "contract": contract if for_contract else None,
        "scopes": scopes,
        "national_years": NationalHolidayYear.objects.all(),
        "text": "",
    }
    if request.method == "POST":
        text = request.POST.get("text", "")
        context.update(text=text[:NOTICE_MAX_CHARS], year_text=request.POST.get("year", ""))
        try:
            if len(text) > NOTICE_MAX_CHARS:
                raise services.NoticeError("text", _("通知文本过长（上限 20000 字）。"))
            year = parse_year(request.POST.get("year"), "year", first=engine.FIRST_YEAR + 1, last=engine.LAST_YEAR)
            if request.POST.get("confirm"):
                scope = parse_choice(request.POST.get("scope"), "scope", scopes) or scopes[0]
                reading = services.load_notice(
                    text, by=request.user, contract=contract if scope == "contract" else None, year=year,
                    source=request.POST.get("source", "")[:200],
                    accept_unrecognised=request.POST.get("accept_unrecognised") == "1",
                )
                messages.success(request, _(
                    "已载入 %(year)d 年安排：休息日 %(rest)d 天，调休上班日 %(work)d 天。未结工单的时限已按新日历重算。"
                ) % {"year": reading.year, "rest": len(reading.rest_days), "work": len(reading.work_days)})
                if scope == "contract":
                    return redirect(f"/calendars/?year={reading.year}")
                return redirect("calendars:notice")
            context["preview"] = _preview_rows(services.preview_notice(text, year))
        except BadParameter as error:
            context["error"] = error.message
        except services.NoticeError as error:
            context["error"] = error.message
            if error.field == "unrecognised":
                context["preview"] = _preview_rows(services.preview_notice(text, year))
    return render(request, "calendars/notice.html", context)


def _preview_rows(reading) -> dict:
    def rows(days):
        return [{"date": day, "name": days[day]} for day in sorted(days)]

    return {
        "year": reading.year,
        "rest": rows(reading.rest_days),
        "work": rows(reading.work_days),
        "unrecognised": reading.unrecognised,
    }
