"""Mainland China's official holiday arrangements (国务院办公厅 notices), from the
maintained ``chinese-calendar`` package rather than typed by hand."""

from __future__ import annotations

import datetime as dt
from functools import cache

from chinese_calendar import constants
from django.utils.translation import gettext_lazy


@cache
def official_rest_days() -> dict[dt.date, str]:
    """Statutory holiday rest days (weekends inside a holiday block included)."""
    return {day: str(name) for day, name in constants.holidays.items()}


@cache
def official_work_days() -> dict[dt.date, str]:
    """Make-up working days (调休上班), usually a Saturday or Sunday."""
    return {day: str(name) for day, name in constants.workdays.items()}


@cache
def official_years() -> frozenset[int]:
    """Years whose arrangement is published in the package (every day of those years
    follows it: weekdays work, weekends rest, apart from the listed exceptions)."""
    return frozenset(day.year for day in constants.holidays)


HOLIDAY_NAMES_ZH = {
    "New Year's Day": gettext_lazy("元旦"),
    "Spring Festival": gettext_lazy("春节"),
    "Tomb-sweeping Day": gettext_lazy("清明节"),
    "Labour Day": gettext_lazy("劳动节"),
    "Dragon Boat Festival": gettext_lazy("端午节"),
    "National Day": gettext_lazy("国庆节"),
    "Mid-autumn Festival": gettext_lazy("中秋节"),
    "Anti-Fascist 70th Day": gettext_lazy("抗战胜利70周年纪念日"),
}


def name_zh(name: str) -> str:
    """The holiday's name in the reader's language (Chinese by default)."""
    return str(HOLIDAY_NAMES_ZH.get(name, name))
