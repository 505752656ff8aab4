"""Calendar rules the rest of Weibao calls: deadlines, legal periods, holiday edits.

Every answer that reaches into a year with no official arrangement loaded carries
that year in ``uncovered_years``, so the UI and API can say plainly that Monday–Friday
was assumed for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max
from django.dispatch import Signal
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.calendars import engine
from weibao.calendars.models import BusinessCalendar, HolidayDay, HolidayYear
from weibao.calendars.official import (
    name_zh,
    official_rest_days,
    official_work_days,
    official_years,
)
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
    return (contract_id, days["n"], days["latest"], years["n"], years["latest"])


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
        return engine.DayRules(
            official_rest_days(),
            official_work_days(),
            covered_years=set(official_years()) | set(imported),
            overrides=overrides,
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
        if not self.uncovered_years:
            return ""
        years = "、".join(str(year) for year in self.uncovered_years)
        return (
            f"{years} 年的国务院节假日安排尚未载入，按周一至周五工作计算。"
            f" / No official holiday arrangement is loaded for {years}; Monday–Friday assumed."
        )


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


def day_status(contract_id: int, day: dt.date) -> tuple[bool, str, str]:
    """(is working day, why, holiday name) for one date, for the calendar page."""
    rules = day_rules_for(contract_id)
    override = HolidayDay.objects.filter(contract_id=contract_id, date=day).first()
    if override is not None:
        return override.kind == HolidayDay.Kind.WORK, "contract", override.name
    if day in official_work_days():
        return True, "official", _("%(holiday)s（调休上班）") % {"holiday": name_zh(official_work_days()[day])}
    if day in official_rest_days():
        return False, "official", name_zh(official_rest_days()[day])
    fallback = day.year not in rules.covered_years
    return day.weekday() < 5, "fallback" if fallback else "weekly", ""


# -- edits by a project manager ----------------------------------------------------------


def create_calendar(contract, *, name: str, kind: str, hours, by) -> BusinessCalendar:
    if kind == BusinessCalendar.Kind.ALWAYS:
        hours = []
    else:
        hours = engine.format_hours(engine.parse_hours(hours))
    calendar = BusinessCalendar.objects.create(contract=contract, name=name, kind=kind, hours=hours)
    audit.record("calendar.create", obj=calendar, actor=by, after=audit.snapshot(calendar))
    return calendar


def set_holiday(contract, day: dt.date, kind: str, name: str, *, by) -> HolidayDay:
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


def _changed(contract) -> None:
    _stamps.pop(contract.pk, None)
    transaction.on_commit(lambda: _stamps.pop(contract.pk, None))
    holidays_changed.send(sender=HolidayDay, contract=contract)


def clear_caches() -> None:
    """Forget every cached table (tests; after a restore)."""
    _stamps.clear()
    _rules_cache.clear()
    _time_cache.clear()
