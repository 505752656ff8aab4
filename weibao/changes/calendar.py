"""The change calendar: planned windows and what they collide with — statutory holiday
periods (the calendars app), other open changes, the monitoring app's maintenance windows,
and windows from any other app that registers a source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from weibao.calendars.models import HolidayDay
from weibao.calendars.official import name_zh
from weibao.calendars.services import day_rules_for
from weibao.core import clock
from weibao.monitoring.models import MaintenanceWindow

from .models import ChangeRequest
from .services import OPEN_STATUSES


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime
    label: str


# source(contract, start, end) -> windows (e.g. maintenance windows) overlapping [start, end).
WindowSource = Callable[[object, dt.datetime, dt.datetime], list[Window]]
_sources: list[WindowSource] = []


def register_window_source(source: WindowSource) -> None:
    """For a higher app (monitoring's maintenance windows) to show on the change calendar
    and be checked for conflicts; call it from the app's ``ready()``."""
    if source not in _sources:
        _sources.append(source)


def maintenance_windows(contract, start: dt.datetime, end: dt.datetime) -> list[Window]:
    """The contract's declared maintenance windows (维护窗口) overlapping [start, end):
    a change planned inside one works on components whose paging is suppressed and whose
    downtime is already announced, so the bureau should see the two side by side."""
    rows = MaintenanceWindow.objects.filter(contract=contract, start__lt=end, end__gt=start).order_by("start")
    return [Window(row.start, row.end, row.reason) for row in rows]


# Monitoring sits below changes (tests/architecture/test_layers.py), so changes reads its
# windows itself rather than monitoring registering upward.
register_window_source(maintenance_windows)


def _days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    first = start.astimezone(clock.SHANGHAI).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(clock.SHANGHAI).date()
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def holidays(contract_id: int, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Statutory holiday rest days (official, provisional, or the contract's own named rest
    days) between ``first`` and ``last``: the duty periods a change should avoid."""
    rules = day_rules_for(contract_id)
    found = {}
    own = dict(HolidayDay.objects.filter(
        contract_id=contract_id, date__range=(first, last), kind=HolidayDay.Kind.REST
    ).exclude(name="").values_list("date", "name"))
    day = first
    while day <= last:
        if rules.is_working_day(day):
            pass
        elif day in own:
            found[day] = own[day]
        elif day in rules.official_rest:
            found[day] = name_zh(rules.official_rest[day])
        elif day in rules.provisional_rest:
            found[day] = name_zh(rules.provisional_rest[day])
        day += dt.timedelta(days=1)
    return found


def overlapping(contract, start: dt.datetime, end: dt.datetime, exclude_pk=None):
    rows = ChangeRequest.objects.filter(
        contract=contract, status__in=OPEN_STATUSES, planned_start__lt=end, planned_end__gt=start
    )
    return rows.exclude(pk=exclude_pk) if exclude_pk else rows


def other_windows(contract, start: dt.datetime, end: dt.datetime) -> list[Window]:
    return [w for source in _sources for w in source(contract, start, end)]


def conflicts(change: ChangeRequest) -> list[str]:
    """What ``change``'s planned window collides with, in words, for its page and list."""
    found = []
    days = _days(change.planned_start, change.planned_end)
    for day, name in sorted(holidays(change.contract_id, days[0], days[-1]).items()):
        found.append(_("%(day)s 为法定节假日（%(name)s），属节假日值守期") % {"day": day.isoformat(), "name": name})
    for other in overlapping(change.contract, change.planned_start, change.planned_end, exclude_pk=change.pk):
        found.append(_("与变更 %(n)s（%(t)s）时间重叠") % {"n": other.number, "t": other.title})
    for window in other_windows(change.contract, change.planned_start, change.planned_end):
        found.append(_("与维护窗口“%(l)s”时间重叠") % {"l": window.label})
    return found


def month(contract, year: int, month_no: int) -> list[dict]:
    """Each day of a month with its holiday name, the change windows on it (with their
    conflicts) and any registered windows."""
    first = dt.date(year, month_no, 1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    changes = list(ChangeRequest.objects.filter(contract=contract, planned_start__lt=end, planned_end__gt=start)
                   .exclude(status__in=(ChangeRequest.Status.CANCELLED, ChangeRequest.Status.REJECTED))
                   .order_by("planned_start"))
    by_day: dict[dt.date, list] = {}
    for change in changes:
        change.conflicts = conflicts(change)
        for day in _days(max(change.planned_start, start), min(change.planned_end, end)):
            by_day.setdefault(day, []).append(change)
    windows: dict[dt.date, list] = {}
    for window in other_windows(contract, start, end):
        for day in _days(max(window.start, start), min(window.end, end)):
            windows.setdefault(day, []).append(window)
    names = holidays(contract.pk, first, last)
    return [
        {"day": first + dt.timedelta(days=i), "holiday": names.get(first + dt.timedelta(days=i), ""),
         "changes": by_day.get(first + dt.timedelta(days=i), []),
         "windows": windows.get(first + dt.timedelta(days=i), [])}
        for i in range((last - first).days + 1)
    ]


def upcoming(contract, now: dt.datetime | None = None):
    now = now or clock.now()
    return ChangeRequest.objects.filter(contract=contract).filter(
        Q(status__in=OPEN_STATUSES) | Q(planned_end__gte=now - dt.timedelta(days=7))
    )
