"""Calendar rules the rest of Weibao calls: deadlines, legal periods, holiday edits.

Every answer that reaches into a year with no official arrangement loaded carries
that year in ``uncovered_years``, so the UI and API can say plainly that its calendar is
provisional: the statutory holidays rest, otherwise Monday–Friday, make-up days unknown.

The official arrangement is the ``chinesecalendar`` data plus the notices the system
administrator loaded for the installation (``NationalHolidayYear``); a contract's own
``HolidayDay`` entries override both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.dispatch import Signal
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.calendars import engine
from weibao.calendars.models import (
    BusinessCalendar,
    HolidayDay,
    HolidayYear,
    NationalHolidayDay,
    NationalHolidayYear,
)
from weibao.calendars.notice import NoticeReading, read_notice
from weibao.calendars.official import (
    name_zh,
    official_rest_days,
    official_work_days,
    official_years,
)
from weibao.calendars.statutory import statutory_holidays
from weibao.contracts.access import contract_ids_where, require
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.core import clock

#: Sent after a contract's holiday data changed (servicedesk recomputes deadlines).
holidays_changed = Signal()

_CACHE_SIZE = 64
_rules_cache: OrderedDict[tuple, engine.DayRules] = OrderedDict()
_time_cache: OrderedDict[tuple, engine.WorkingTime] = OrderedDict()


def _remember(cache: OrderedDict, key, build):
    value = cache.get(key)
    if value is None:
        value = build()
        cache[key] = value
        if len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return value


#: How long a process trusts its idea of a contract's holiday data before asking the
#: database again. Edits in this process take effect at once (``_changed``); other
#: processes see them within this many seconds.
STAMP_TTL_SECONDS = 5.0
_stamps: dict[int, tuple[float, tuple]] = {}


def _holiday_stamp(contract_id: int) -> tuple:
    cached = _stamps.get(contract_id)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    stamp = _read_holiday_stamp(contract_id)
    _stamps[contract_id] = (now + STAMP_TTL_SECONDS, stamp)
    return stamp


def _read_holiday_stamp(contract_id: int) -> tuple:
    days = HolidayDay.objects.filter(contract_id=contract_id).aggregate(
        n=Count("id"), latest=Max("updated_at")
    )
    years = HolidayYear.objects.filter(contract_id=contract_id).aggregate(
        n=Count("id"), latest=Max("imported_at")
    )
    national = NationalHolidayYear.objects.aggregate(n=Count("id"), latest=Max("imported_at"))
    return (
        contract_id, days["n"], days["latest"], years["n"], years["latest"],
        national["n"], national["latest"],
    )


_national_cache: OrderedDict[tuple, tuple] = OrderedDict()


def _official_tables(national_stamp: tuple) -> tuple[dict, dict, frozenset[int]]:
    """The package's arrangement with the loaded notices laid over it, date by date."""

    def build():
        rest, work = dict(official_rest_days()), dict(official_work_days())
        years = set(official_years())
        # A later year's notice has the last word on a date two notices name.
        for day, kind, name in NationalHolidayDay.objects.order_by("notice__year", "date").values_list(
            "date", "kind", "name"
        ):
            target, other = (work, rest) if kind == HolidayDay.Kind.WORK else (rest, work)
            other.pop(day, None)
            target[day] = name
        years.update(NationalHolidayYear.objects.values_list("year", flat=True))
        return rest, work, frozenset(years)

    return _remember(_national_cache, national_stamp, build)


def _provisional_rest(covered: frozenset[int]) -> dict[dt.date, str]:
    return _remember(_national_cache, ("provisional", covered), lambda: {
        day: name
        for year in range(engine.FIRST_YEAR, engine.LAST_YEAR + 1)
        if year not in covered
        for day, name in statutory_holidays(year).items()
    })


def day_rules_for(contract_id: int) -> engine.DayRules:
    stamp = _holiday_stamp(contract_id)

    def build():
        overrides = {
            day: kind == HolidayDay.Kind.WORK
            for day, kind in HolidayDay.objects.filter(contract_id=contract_id).values_list(
                "date", "kind"
            )
        }
        imported = HolidayYear.objects.filter(contract_id=contract_id).values_list(
            "year", flat=True
        )
        rest, work, national_years = _official_tables(stamp[-2:])
        covered = frozenset(national_years | set(imported))
        return engine.DayRules(
            rest, work, covered_years=covered, overrides=overrides,
            provisional_rest=_provisional_rest(covered),
        )

    return _remember(_rules_cache, stamp, build)


def working_time_for(calendar: BusinessCalendar) -> engine.WorkingTime:
    if calendar.kind == BusinessCalendar.Kind.ALWAYS:
        return _remember(_time_cache, ("24x7",), lambda: engine.WorkingTime(None, always=True))
    rules = day_rules_for(calendar.contract_id)
    intervals = engine.parse_hours(calendar.hours)
    key = (id(rules), intervals)
    return _remember(
        _time_cache, key, lambda: engine.WorkingTime(rules.is_working_day, intervals)
    )


@dataclass(frozen=True)
class Answer:
    """A computed date or time, and the years it assumed Monday–Friday for."""

    value: dt.datetime | dt.date
    uncovered_years: list[int] = field(default_factory=list)
    ends_at: dt.datetime | None = None

    @property
    def warning(self) -> str:
        return provisional_warning(self.uncovered_years)


def provisional_warning(years) -> str:
    """The one sentence every page and answer gives for years with no notice loaded."""
    if not years:
        return ""
    return _(
        "%(years)s 年的国务院节假日安排尚未载入：暂按法定节假日休息、其余周一至周五工作计算，"
        "调休上班日未知，结果为暂定。"
    ) % {"years": "、".join(str(year) for year in years)}


def deadline(calendar: BusinessCalendar, start: dt.datetime, minutes: int) -> Answer:
    working = working_time_for(calendar)
    due = working.deadline(start, minutes)
    uncovered = []
    if calendar.kind != BusinessCalendar.Kind.ALWAYS:
        rules = day_rules_for(calendar.contract_id)
        uncovered = rules.uncovered_years(
            engine.local_date(engine.to_epoch(start)), engine.local_date(engine.to_epoch(due))
        )
    return Answer(due, uncovered)


class PeriodRule:
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CHOICES = (WORKING_DAYS, CALENDAR_DAYS)


def legal_period(contract_id: int, start: dt.date, days: int, rule: str) -> Answer:
    """Civil Code arts. 201–203 (see engine.DayRules). The period ends at 24:00 of the
    last day, i.e. 00:00 Asia/Shanghai of the day after, returned as ``ends_at``."""
    rules = day_rules_for(contract_id)
    if rule == PeriodRule.WORKING_DAYS:
        last = rules.last_day_working_days(start, days)
    elif rule == PeriodRule.CALENDAR_DAYS:
        last = rules.last_day_calendar_days(start, days)
    else:
        raise ValueError(rule)
    next_midnight = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    return Answer(last, rules.uncovered_years(start, last), ends_at=next_midnight)


def year_status(contract_id: int, year: int) -> dict[dt.date, tuple[bool, str, str]]:
    """(is working day, why, holiday name) of every date of a year, for the calendar
    page, with one read of the contract's edits (not one per date)."""
    rules = day_rules_for(contract_id)
    overrides = {h.date: h for h in HolidayDay.objects.filter(contract_id=contract_id, date__year=year)}
    day, end, statuses = dt.date(year, 1, 1), dt.date(year, 12, 31), {}
    while day <= end:
        statuses[day] = _status(rules, overrides.get(day), day)
        day += dt.timedelta(days=1)
    return statuses


def _status(rules: engine.DayRules, override: HolidayDay | None, day: dt.date) -> tuple[bool, str, str]:
    if override is not None:
        return override.kind == HolidayDay.Kind.WORK, "contract", override.name
    if day in rules.official_work:
        return True, "official", _("%(holiday)s（调休上班）") % {"holiday": name_zh(rules.official_work[day])}
    if day in rules.official_rest:
        return False, "official", name_zh(rules.official_rest[day])
    if day in rules.provisional_rest:
        return False, "provisional", _("%(holiday)s（暂定）") % {"holiday": name_zh(rules.provisional_rest[day])}
    fallback = day.year not in rules.covered_years
    return day.weekday() < 5, "fallback" if fallback else "weekly", ""


# -- edits by a project manager ----------------------------------------------------------


def create_calendar(contract, *, name: str, kind: str, hours, by) -> BusinessCalendar:
    require(by, contract.pk, Capability.MANAGE_SLA)
    if kind == BusinessCalendar.Kind.ALWAYS:
        hours = []
    else:
        hours = engine.format_hours(engine.parse_hours(hours))
    calendar = BusinessCalendar.objects.create(contract=contract, name=name, kind=kind, hours=hours)
    audit.record("calendar.create", obj=calendar, actor=by, after=audit.snapshot(calendar))
    return calendar


def set_holiday(contract, day: dt.date, kind: str, name: str, *, by) -> HolidayDay:
    require(by, contract.pk, Capability.MANAGE_SLA)
    with transaction.atomic():
        entry, created = HolidayDay.objects.update_or_create(
            contract=contract,
            date=day,
            defaults={"kind": kind, "name": name, "updated_at": clock.now()},
        )
        audit.record(
            "calendar.holiday.set",
            obj=entry,
            actor=by,
            after={"date": day.isoformat(), "kind": kind, "name": name, "created": created},
        )
        _changed(contract)
    return entry


def remove_holiday(entry: HolidayDay, *, by) -> None:
    require(by, entry.contract_id, Capability.MANAGE_SLA)
    with transaction.atomic():
        contract = entry.contract
        audit.record("calendar.holiday.remove", obj=entry, actor=by, before=audit.snapshot(entry))
        entry.delete()
        _changed(contract)


KIND_WORDS = {
    "rest": HolidayDay.Kind.REST,
    "休": HolidayDay.Kind.REST,
    "休息": HolidayDay.Kind.REST,
    "假": HolidayDay.Kind.REST,
    "holiday": HolidayDay.Kind.REST,
    "work": HolidayDay.Kind.WORK,
    "班": HolidayDay.Kind.WORK,
    "上班": HolidayDay.Kind.WORK,
    "workday": HolidayDay.Kind.WORK,
}


class HolidayFileError(ValueError):
    """A holiday file line that cannot be read; message names the line."""


def parse_year_file(year: int, text: str) -> list[tuple[dt.date, str, str]]:
    """Lines ``YYYY-MM-DD,rest|work[,name]`` (also 休/班, tabs or spaces); ``#`` comments.

    Every date must lie in ``year``. Raises HolidayFileError naming the first bad line.
    """
    entries = []
    seen = set()
    reader = csv.reader(io.StringIO(text.replace("\t", ",")))
    for number, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if len(cells) == 1 and " " in cells[0]:
            cells = cells[0].split()
        if not cells or cells[0].startswith("#") or cells[0].lower() == "date":
            continue
        try:
            day = dt.date.fromisoformat(cells[0])
        except ValueError:
            raise HolidayFileError(f"第 {number} 行：日期应为 YYYY-MM-DD / line {number}: date must be YYYY-MM-DD") from None
        if day.year != year:
            raise HolidayFileError(f"第 {number} 行：日期不在 {year} 年 / line {number}: date not in {year}")
        if len(cells) < 2 or cells[1].lower() not in KIND_WORDS:
            raise HolidayFileError(
                f"第 {number} 行：类型应为 rest/work（休/班） / line {number}: kind must be rest or work"
            )
        if day in seen:
            raise HolidayFileError(f"第 {number} 行：日期重复 / line {number}: duplicate date")
        seen.add(day)
        entries.append((day, KIND_WORDS[cells[1].lower()], cells[2] if len(cells) > 2 else ""))
    if not entries:
        raise HolidayFileError("文件中没有日期 / the file has no dates")
    return entries


def import_year(contract, year: int, text: str, *, source: str, by) -> int:
    """Replace the contract's entries for ``year`` with the file's and mark the year as
    loaded (so no Monday–Friday warning is given for it any more)."""
    require(by, contract.pk, Capability.MANAGE_SLA)
    entries = parse_year_file(year, text)
    with transaction.atomic():
        HolidayDay.objects.filter(contract=contract, date__year=year).delete()
        now = clock.now()
        HolidayDay.objects.bulk_create(
            HolidayDay(contract=contract, date=day, kind=kind, name=name, updated_at=now)
            for day, kind, name in entries
        )
        HolidayYear.objects.update_or_create(
            contract=contract, year=year, defaults={"source": source[:200], "imported_at": now}
        )
        audit.record(
            "calendar.holiday.import",
            obj=contract,
            actor=by,
            after={"year": year, "entries": len(entries), "source": source[:200]},
        )
        _changed(contract)
    return len(entries)


# -- the State Council's notice, pasted ------------------------------------------------------


class NoticeError(ValueError):
    """A notice that cannot be stored; ``field`` names the request field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def may_load_notices(user) -> bool:
    """The system administrator (for the installation) or a contract's project manager."""
    if not user.is_authenticated:
        return False
    return user.is_system_admin or bool(contract_ids_where(user, Capability.MANAGE_SLA))


def preview_notice(text: str, year: int | None = None) -> NoticeReading:
    """What a pasted notice says, stored nowhere. Raises NoticeError when the year is
    neither in the text nor given, or lies outside the calendar's range."""
    reading = read_notice(text, year)
    if reading.year is None:
        raise NoticeError("year", _("通知中未写明年份，请填写年份。"))
    if not engine.FIRST_YEAR + 1 <= reading.year <= engine.LAST_YEAR:
        raise NoticeError("year", _("年份超出支持范围。"))
    return reading


def load_notice(
    text: str, *, by, contract=None, year: int | None = None, source: str = "",
    accept_unrecognised: bool = False,
) -> NoticeReading:
    """Store a notice's arrangement: for the whole installation (``contract`` None, the
    system administrator only) or as one contract's year (its project manager).

    The same reading as the preview; refused while lines were not understood unless
    ``accept_unrecognised``. A contract's load replaces its entries for the year, as a
    yearly import does; the installation's leaves every contract's overrides alone.
    Audited; open deadlines are recomputed.
    """
    if contract is None and by is not None and not by.is_system_admin:
        raise PermissionDenied(_("只有系统管理员可以为全系统载入节假日安排。"))
    if contract is not None:
        require(by, contract.pk, Capability.MANAGE_SLA, _("只有项目经理可以修改节假日。"))
    reading = preview_notice(text, year)
    if not (reading.rest_days or reading.work_days):
        raise NoticeError("text", _("通知中没有读到任何放假或上班日期。"))
    if reading.unrecognised and not accept_unrecognised:
        raise NoticeError(
            "unrecognised",
            _("有 %(n)d 行未能识别，请核对后确认忽略，或补全后重新粘贴。") % {"n": len(reading.unrecognised)},
        )
    entries = [(day, HolidayDay.Kind.REST, name) for day, name in reading.rest_days.items()]
    entries += [(day, HolidayDay.Kind.WORK, name) for day, name in reading.work_days.items()]
    summary = {
        "year": reading.year,
        "rest_days": [day.isoformat() for day in sorted(reading.rest_days)],
        "work_days": [day.isoformat() for day in sorted(reading.work_days)],
        "unrecognised": reading.unrecognised,
        "source": source[:200],
    }
    with transaction.atomic():
        now = clock.now()
        if contract is None:
            national, _created = NationalHolidayYear.objects.update_or_create(
                year=reading.year,
                defaults={"source": source[:200], "notice_text": text, "imported_at": now, "imported_by": by},
            )
            national.days.all().delete()
            NationalHolidayDay.objects.bulk_create(
                NationalHolidayDay(notice=national, date=day, kind=kind, name=name[:100])
                for day, kind, name in entries
            )
            audit.record("calendar.national.notice", obj=national, actor=by, after=summary)
            for each in Contract.objects.all():
                _changed(each)
            _stamps.clear()
            transaction.on_commit(_stamps.clear)
        else:
            HolidayDay.objects.filter(contract=contract, date__year=reading.year).delete()
            HolidayDay.objects.filter(contract=contract, date__in=[day for day, _k, _n in entries]).delete()
            HolidayDay.objects.bulk_create(
                HolidayDay(contract=contract, date=day, kind=kind, name=name[:100], updated_at=now)
                for day, kind, name in entries
            )
            HolidayYear.objects.update_or_create(
                contract=contract, year=reading.year,
                defaults={"source": (source or _("国务院办公厅通知"))[:200], "imported_at": now},
            )
            audit.record("calendar.holiday.notice", obj=contract, actor=by, after=summary)
            _changed(contract)
    return reading


def _changed(contract) -> None:
    _stamps.pop(contract.pk, None)
    transaction.on_commit(lambda: _stamps.pop(contract.pk, None))
    holidays_changed.send(sender=HolidayDay, contract=contract)


def clear_caches() -> None:
    """Forget every cached table (tests; after a restore)."""
    _stamps.clear()
    _rules_cache.clear()
    _time_cache.clear()
    _national_cache.clear()
