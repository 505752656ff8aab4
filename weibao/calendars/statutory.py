"""The statutory public holidays of a year, computed, for years whose official notice is
not out yet (a provisional calendar: no 调休, make-up working days are unknown).

Pure Python, no Django. The rules are the State Council's 《全国年节及纪念日放假办法》
in the version in force for the year asked; lunar dates and the 清明 solar term come
from the ``lunar-python`` package (6tail's 寿星天文历 algorithms, pure Python).

Names are the ones ``chinese_calendar`` uses, so ``official.name_zh`` translates both.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from lunar_python import Lunar, Solar

NEW_YEAR = "New Year's Day"
SPRING = "Spring Festival"
TOMB = "Tomb-sweeping Day"
LABOUR = "Labour Day"
DRAGON = "Dragon Boat Festival"
MID_AUTUMN = "Mid-autumn Festival"
NATIONAL = "National Day"


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> dt.date:
    """The day of the 清明 solar term (always 4–6 April in 1900–2100)."""
    for day in (4, 5, 6, 3, 7):
        if Solar.fromYmd(year, 4, day).getLunar().getJieQi() == "清明":
            return dt.date(year, 4, day)
    raise AssertionError(f"no 清明 in April {year}")  # pragma: no cover


def _spring(year: int, first: int, last: int) -> list[dt.date]:
    """正月 days ``first``..``last`` of the lunar year starting in ``year``; 0 is 除夕."""
    new_year = _lunar(year, 1, 1)
    return [new_year + dt.timedelta(days=offset - 1) for offset in range(first, last + 1)]


@cache
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Rest days the 放假办法 in force in ``year`` grants, without 调休.

    Versions: 1999 (春节 初一–初三, 劳动节 and 国庆 three days each); 2008 (清明, 端午,
    中秋 added; 春节 除夕–初二; 劳动节 one day); 2014 (春节 初一–初三); 2025 (春节 除夕–初三,
    劳动节 1–2 May). Before 2000 the table is not needed (the engine starts in 2000).
    """
    days: dict[dt.date, str] = {dt.date(year, 1, 1): NEW_YEAR}
    if year >= 2025:
        spring, labour = _spring(year, 0, 3), [1, 2]
    elif year >= 2014:
        spring, labour = _spring(year, 1, 3), [1]
    elif year >= 2008:
        spring, labour = _spring(year, 0, 2), [1]
    else:
        spring, labour = _spring(year, 1, 3), [1, 2, 3]
    days.update((day, SPRING) for day in spring)
    days.update((dt.date(year, 5, day), LABOUR) for day in labour)
    if year >= 2008:
        days[_qingming(year)] = TOMB
        days[_lunar(year, 5, 5)] = DRAGON
        days[_lunar(year, 8, 15)] = MID_AUTUMN
    # National Day last, so a 中秋 falling on 1–3 October is named as the longer holiday.
    days.update((dt.date(year, 10, day), NATIONAL) for day in (1, 2, 3))
    return days
