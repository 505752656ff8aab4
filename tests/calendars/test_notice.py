"""Reading the State Council's yearly notice: past years' notices as published reproduce
that year's official arrangement (the ``chinesecalendar`` data) exactly.

``notices/dev`` are the notices the reader was written against; ``notices/heldout`` were
written down before the reader and never tuned on (2017 and 2023 in altered layouts:
full-width digits, spaces, clauses broken over lines, "调休上班", "共N天" left out).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from weibao.calendars.notice import read_notice
from weibao.calendars.official import official_rest_days, official_work_days

NOTICES = Path(__file__).parent / "notices"
# Dates another notice of the same year decided: the 2015 anti-fascist victory day
# (its own notice) and late-December days the next year's notice names.
DECIDED_ELSEWHERE = {dt.date(2015, 9, 3), dt.date(2015, 9, 4), dt.date(2015, 9, 6)}


def officially_working(day: dt.date) -> bool:
    if day in official_work_days():
        return True
    return day not in official_rest_days() and day.weekday() < 5


def differences(path: Path) -> list[str]:
    year = int(path.stem)
    reading = read_notice(path.read_text(encoding="utf-8"))
    if reading.year != year:
        return [f"year {reading.year}"]
    named = set(reading.rest_days) | set(reading.work_days)
    days = {dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range(365)} | named
    wrong = []
    for day in sorted(days):
        if day in DECIDED_ELSEWHERE or (day.year == year and day >= dt.date(year, 12, 26) and day not in named):
            continue
        working = day in reading.work_days or (day not in reading.rest_days and day.weekday() < 5)
        if working != officially_working(day):
            wrong.append(day.isoformat())
    return wrong + reading.unrecognised


@pytest.mark.parametrize("path", sorted((NOTICES / "dev").glob("*.txt")), ids=lambda p: p.stem)
def test_a_past_notice_reproduces_the_official_year(path):
    assert differences(path) == []


@pytest.mark.parametrize("path", sorted((NOTICES / "heldout").glob("*.txt")), ids=lambda p: p.stem)
def test_a_held_out_notice_reproduces_the_official_year(path):
    assert differences(path) == []


def test_the_2026_notice_as_the_preview_shows_it():
    reading = read_notice((NOTICES / "dev" / "2026.txt").read_text(encoding="utf-8")).as_dict()
    assert reading["year"] == 2026
    assert reading["work_days"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert reading["rest_days"][:3] == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert len(reading["rest_days"]) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert reading["unrecognised"] == []


def test_new_years_day_of_the_notice_may_start_in_december():
    reading = read_notice(
        "关于2019年部分节假日安排的通知\n"
        "一、元旦：12月30日至1月1日放假调休，共3天。12月29日（周六）上班。"
    )
    assert sorted(reading.rest_days) == [dt.date(2018, 12, 30), dt.date(2018, 12, 31), dt.date(2019, 1, 1)]
    assert list(reading.work_days) == [dt.date(2018, 12, 29)]


@pytest.mark.parametrize(
    "line",
    [
        "七、国庆节：10月1日至8日放假调休，共8天。9月27日（周日）、10月10日（周六）上班。",
        "七、国庆节：10 月 1 日至 8 日放假调休，共 8 天。9 月 27 日（周日）、10 月 10 日（周六）上班。",
        "（七）国庆节：１０月１日—８日放假调休。９月２７日（星期日）、１０月１０日（星期六）调休上班。",
        "国庆节 十月一日至八日放假，九月二十七日、十月十日正常上班",
        "7.国庆节:10月1号至10月8号放假调休,共8天;9月27日(周日),10月10日(周六)补班",
    ],
)
def test_layouts_of_one_clause(line):
    reading = read_notice("关于2020年部分节假日安排的通知\n" + line)
    assert sorted(reading.rest_days) == [dt.date(2020, 10, day) for day in range(1, 9)]
    assert sorted(reading.work_days) == [dt.date(2020, 9, 27), dt.date(2020, 10, 10)]
    assert reading.unrecognised == []


def test_a_clause_broken_over_lines_is_one_clause():
    reading = read_notice("关于2026年部分节假日安排的通知\n二、春节：2月15日至\n23日放假调休，\n共9天。2月14日（周六）、\n2月28日（周六）上班。")
    assert len(reading.rest_days) == 9 and len(reading.work_days) == 2
    assert reading.unrecognised == []


def test_encouragement_to_rest_on_new_years_eve_is_not_a_rest_day():
    reading = read_notice(
        "关于2024年部分节假日安排的通知\n二、春节：2月10日至17日放假调休，共8天。2月4日（周日）、2月18日（周日）上班。"
        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。"
    )
    assert dt.date(2024, 2, 9) not in reading.rest_days
    assert reading.unrecognised == []


@pytest.mark.parametrize(
    "line",
    [
        "一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。",  # the count disagrees
        "一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。",  # 2026-01-01 is a Thursday
        "一、元旦：1月1日至3日。",  # neither rest nor work said
        "二、春节：待定。",  # an item naming no date
        "请各单位于11月30日前报送值班安排。",  # a date outside any item
        "一、元旦：1月1日放假。1月1日上班。",  # both at once
        "一、元旦：2024年1月1日放假。",  # another year than the notice's
    ],
)
def test_what_is_not_understood_is_listed_as_pasted(line):
    reading = read_notice("国务院办公厅关于2026年部分节假日安排的通知\n" + line + "\n国务院办公厅\n2025年11月4日")
    assert len(reading.unrecognised) == 1
    assert reading.unrecognised[0].startswith(line[:6]) or "2026-01-01" in reading.unrecognised[0]


def test_the_boilerplate_is_neither_read_nor_listed():
    reading = read_notice((NOTICES / "dev" / "2026.txt").read_text(encoding="utf-8"))
    assert reading.unrecognised == []
    assert all(day.year == 2026 for day in reading.rest_days)  # not the date of issue


def test_without_a_year_nothing_is_guessed():
    reading = read_notice("一、元旦：1月1日至3日放假调休，共3天。")
    assert reading.year is None and reading.rest_days == {}
    assert reading.unrecognised == ["一、元旦：1月1日至3日放假调休，共3天。"]
    assert len(read_notice("一、元旦：1月1日至3日放假调休，共3天。", year=2026).rest_days) == 3


def _full_width(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


LAYOUTS = {
    "full-width digits": _full_width,
    "spaces everywhere": lambda text: " ".join(text),
    "Windows line ends, indented": lambda text: "\r\n".join("\u3000\u3000" + line for line in text.splitlines()),
    "no totals": lambda text: re.sub(r"，共\d+天", "", text),
    "half-width brackets": lambda text: text.replace("（", "(").replace("）", ")").replace("：", ":"),
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
@pytest.mark.parametrize("path", sorted(NOTICES.glob("*/*.txt")), ids=lambda p: p.stem)
def test_a_past_notice_in_another_layout_reads_the_same(path, layout):
    original = read_notice(path.read_text(encoding="utf-8"))
    altered = read_notice(LAYOUTS[layout](path.read_text(encoding="utf-8")))
    assert (altered.year, altered.rest_days, altered.work_days) == (original.year, original.rest_days, original.work_days)
    assert altered.unrecognised == []


def test_the_date_of_issue_next_to_the_title_is_no_holiday():
    reading = read_notice(
        "国务院办公厅 2025年11月4日 关于2026年部分节假日安排的通知\n"
        "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    )
    assert sorted(reading.rest_days) == [dt.date(2026, 1, day) for day in (1, 2, 3)]
    assert list(reading.work_days) == [dt.date(2026, 1, 4)]
    assert reading.unrecognised == []


def test_a_year_in_chinese_numerals():
    reading = read_notice("国务院办公厅关于二〇二六年部分节假日安排的通知\n一、元旦：1月1日至3日放假调休，共3天。")
    assert reading.year == 2026 and len(reading.rest_days) == 3
