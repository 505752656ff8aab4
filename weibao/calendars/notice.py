"""Reading the State Council's yearly notice 《国务院办公厅关于YYYY年部分节假日安排的通知》.

Pure Python, no Django. The notice names, holiday by holiday, the rest days
("1月1日（周四）至3日（周六）放假调休，共3天") and the make-up working days
("1月4日（周日）上班"). :func:`read_notice` returns both, and every line it could not
fully account for, so a person checks the preview before anything is stored.

What is read, sentence by sentence inside each numbered item:
- dates ``M月D日``, ``YYYY年M月D日``, a bare ``D日`` after a date in a range or list
  (``1月1日至3日``, ``2月20日、21日``), ranges across months and years;
- what the dates are: the first keyword after them (放假/补休/休息/公休… rest;
  上班/调休上班/补班… work), or else the last one before them;
- checks that make a slip visible rather than stored: a weekday in brackets must be the
  date's weekday, "共N天" / "放假N天" must count the rest days of its sentence, and a
  date may not be both rest and work.
Sentences that only explain or encourage ("其中…", "鼓励各单位…在除夕（2月9日）休息")
name no rest day of their own and are skipped. Full-width digits and brackets, spaces,
line breaks inside a clause and Chinese numerals in dates are accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

HOLIDAY_WORDS = ("元旦", "春节", "清明", "劳动节", "五一", "端午", "中秋", "国庆")

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.)](?!\d)|\([一二三四五六七八九十\d]{1,3}\)"
    r"|第[一二三四五六七八九十]{1,3}[、,:]?)"
)
_NAME = re.compile(r"^(?P<name>[^:]{1,24}?):")
# A paren group after a date is replaced by 〈w〉 (w the weekday it names, or nothing).
_PAREN = re.compile(r"\(([^()]*)\)")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:〈(?P<wd>\d?)〉)?"
)
_RANGE = re.compile(r"^(?:至|到|-|—|–|~|－)$")
_LIST = re.compile(r"^(?:、|和|及|以及|,|与)$")
_KEYWORD = re.compile(
    r"不上班|调休上班|上班|补班|照常工作|工作日"
    r"|放假|补休|休息|休假|公休|连休|假日"
)
_WORK_WORDS = frozenset({"调休上班", "上班", "补班", "照常工作", "工作日"})
_SKIP = re.compile(r"^其中|鼓励|倡导|提倡|安排职工")
_TOTAL = re.compile(r"(?:共|放假)(\d{1,2})天")
_TITLE = re.compile(r"关于.{0,12}年?部分节假日安排的通知")
# A line ending like this ends its sentence even without "。".
_SENTENCE_END = re.compile(r"(?:放假|上班|补班|补休|连休|调休|休息|天)$")


@dataclass
class NoticeReading:
    """What a notice says: its year, rest days and make-up working days (each with the
    holiday's name), and the lines that were not understood, as pasted."""

    year: int | None
    rest_days: dict[dt.date, str] = field(default_factory=dict)
    work_days: dict[dt.date, str] = field(default_factory=dict)
    unrecognised: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "rest_days": [day.isoformat() for day in sorted(self.rest_days)],
            "work_days": [day.isoformat() for day in sorted(self.work_days)],
            "unrecognised": list(self.unrecognised),
        }


@dataclass
class _Item:
    raw: list[str]
    text: str
    name: str = ""


def read_notice(text: str, year: int | None = None) -> NoticeReading:
    """Every rest day and make-up working day the notice names.

    ``year`` is the notice's year when the pasted text does not say it (the title
    "关于2027年部分节假日安排的通知" or "现将2027年…" usually does). Dates without a
    year are in that year, except December dates in the 元旦 item (the previous year).
    """
    lines = [(raw.strip(), _normalise(raw)) for raw in text.splitlines()]
    lines = [(raw, clean) for raw, clean in lines if clean]
    notice_year = _notice_year(clean for _, clean in lines) or year
    reading = NoticeReading(year=notice_year)
    items, stray = _items(lines)
    reading.unrecognised.extend(stray)
    if notice_year is None:
        reading.unrecognised.extend(" ".join(item.raw) for item in items)
        return reading
    for item in items:
        rest, work, ok = _read_item(item, notice_year)
        for day in rest:
            reading.rest_days.setdefault(day, item.name)
        for day in work:
            reading.work_days.setdefault(day, item.name)
        if not ok or not (rest or work):
            reading.unrecognised.append(" ".join(item.raw))
    clash = set(reading.rest_days) & set(reading.work_days)
    if clash:
        for day in clash:
            reading.rest_days.pop(day)
            reading.work_days.pop(day)
        reading.unrecognised.append(
            "、".join(day.isoformat() for day in sorted(clash)) + " 既是休息日又是上班日"
        )
    reading.unrecognised = list(dict.fromkeys(reading.unrecognised))
    return reading


# -- lines and items ---------------------------------------------------------------------


def _normalise(line: str) -> str:
    text = unicodedata.normalize("NFKC", line)
    text = text.replace("\u200b", "").replace("\ufeff", "")
    text = re.sub(r"\s+", "", text)
    text = text.replace("【", "(").replace("】", ")")
    text = text.replace("〔", "[").replace("〕", "]")
    text = re.sub(r"(\d{1,2})号", r"\1日", text)
    text = re.sub(
        r"([〇零一二三四五六七八九]{4})(?=年)",
        lambda match: "".join(str(_CN_DIGITS[char]) for char in match.group(1)),
        text,
    )
    text = re.sub(
        r"([〇零一二三四五六七八九十两]{1,3})(?=月[〇零一二三四五六七八九十两\d]{1,3}日)",
        lambda match: str(_cn_number(match.group(1))),
        text,
    )
    text = re.sub(
        r"(?<=[月至到、\-~])([〇零一二三四五六七八九十两]{1,3})(?=日)",
        lambda match: str(_cn_number(match.group(1))),
        text,
    )
    return text


def _cn_number(word: str) -> int:
    if "十" in word:
        tens, _, units = word.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    value = 0
    for char in word:
        value = value * 10 + _CN_DIGITS[char]
    return value


def _notice_year(lines) -> int | None:
    found = Counter()
    for line in lines:
        for pattern in (r"关于(\d{4})年", r"现将(\d{4})年", r"(\d{4})年(?:部分)?节假日", r"(\d{4})年元旦"):
            for match in re.finditer(pattern, line):
                found[int(match.group(1))] += 1
    return found.most_common(1)[0][0] if found else None


def _is_item_start(clean: str) -> bool:
    body = _MARKER.sub("", clean, count=1)
    if body != clean or clean.startswith(HOLIDAY_WORDS):
        return True
    named = _NAME.match(clean)
    return bool(named and any(word in named.group("name") for word in HOLIDAY_WORDS))


def _has_day(clean: str) -> bool:
    return bool(re.search(r"\d{1,2}月\d{1,2}日", clean))


def _only_full_dates(clean: str) -> bool:
    """Only dates with a year and nothing that names a holiday: the date of issue."""
    dates = list(_DATE.finditer(clean))
    return all(match.group("y") for match in dates) and not any(word in clean for word in HOLIDAY_WORDS)


def _items(lines: list[tuple[str, str]]) -> tuple[list[_Item], list[str]]:
    """Group lines into the notice's items; also the stray lines that name dates."""
    items: list[_Item] = []
    stray: list[str] = []
    current: _Item | None = None
    for raw, clean in lines:
        if _is_item_start(clean):
            current = _Item([raw], clean)
            items.append(current)
            continue
        has_day = _has_day(clean)
        if _TITLE.search(clean):
            current = None  # the title, perhaps with the date of issue beside it
        elif has_day and _only_full_dates(clean) and not _KEYWORD.search(clean):
            current = None  # the signature's date, the date of issue
        elif current is not None and (has_day or not current.text.endswith("。")):
            # A clause broken over lines, or the item's next sentence on a line of its own.
            current.raw.append(raw)
            current.text += ("。" if _SENTENCE_END.search(current.text) else "") + clean
        elif has_day and _KEYWORD.search(clean):
            current = _Item([raw], clean)
            items.append(current)
        elif has_day:
            stray.append(raw)
            current = None
        else:
            current = None  # boilerplate: title, addressees, duties, signature
    for item in items:
        body = _MARKER.sub("", item.text, count=1)
        named = _NAME.match(body)
        if named and any(word in named.group("name") for word in HOLIDAY_WORDS):
            item.name = named.group("name").strip("、,")
            body = body[named.end():]
        else:
            item.name = next((word for word in HOLIDAY_WORDS if word in body), "")
        item.text = body
    return items, stray


# -- one item ------------------------------------------------------------------------------


def _weekday_marks(text: str) -> str:
    def mark(match: re.Match) -> str:
        found = re.search(r"(?:周|星期|礼拜)([一二三四五六日天])", match.group(1))
        return f"〈{_WEEKDAYS[found.group(1)] if found else ''}〉"

    # Innermost first; notes never nest more than once in practice.
    return _PAREN.sub(mark, _PAREN.sub(mark, text))


def _read_item(item: _Item, notice_year: int) -> tuple[list[dt.date], list[dt.date], bool]:
    rest: list[dt.date] = []
    work: list[dt.date] = []
    ok = True
    state = {"year": notice_year, "new_year_item": "元旦" in item.name}
    for sentence in re.split(r"[。;]", _weekday_marks(item.text)):
        if not sentence or _SKIP.search(sentence):
            continue
        groups, sentence_ok = _date_groups(sentence, state, notice_year)
        ok = ok and sentence_ok
        sentence_rest = 0
        for days, kind in groups:
            # A notice arranges its own year, reaching back into December at most.
            inside = [day for day in days if dt.date(notice_year - 1, 12, 1) <= day <= dt.date(notice_year, 12, 31)]
            if len(inside) != len(days):
                ok, days = False, inside
            if kind is None:
                ok = False
            elif kind == "work":
                work.extend(days)
            else:
                rest.extend(days)
                sentence_rest += len(days)
        total = _TOTAL.search(sentence)
        if total and groups and int(total.group(1)) != sentence_rest:
            ok = False
    return rest, work, ok


def _date_groups(sentence: str, state: dict, notice_year: int):
    """[(dates, "rest" | "work" | None)] for one sentence, and whether all was read."""
    matches = list(_DATE.finditer(sentence))
    ok = True
    groups: list[list] = []  # [first_match, last_match, dates]
    previous: dt.date | None = None
    previous_end = 0
    for match in matches:
        gap = sentence[previous_end:match.start()]
        year_text, month_text, day_text, weekday = match.group("y", "m", "d", "wd")
        joined = previous is not None and (_RANGE.match(gap) or _LIST.match(gap))
        if month_text is None and not joined:
            ok = False  # "3日" on its own: which month?
            previous_end = match.end()
            continue
        try:
            day = _resolve(year_text, month_text, day_text, previous if joined else None, state, notice_year)
        except ValueError:
            ok = False
            previous_end = match.end()
            continue
        if weekday and day.weekday() != int(weekday):
            ok = False
        if joined and _RANGE.match(gap):
            if day <= previous or (day - previous).days > 40:
                ok = False
                days = [day]
            else:
                days = [previous + dt.timedelta(days=n) for n in range(1, (day - previous).days + 1)]
            groups[-1][1] = match
            groups[-1][2].extend(days)
        elif joined:
            groups[-1][1] = match
            groups[-1][2].append(day)
        else:
            groups.append([match, match, [day]])
        previous, previous_end = day, match.end()
    result = []
    for index, (first, last, days) in enumerate(groups):
        following = sentence[last.end():groups[index + 1][0].start() if index + 1 < len(groups) else len(sentence)]
        preceding = sentence[groups[index - 1][1].end() if index else 0:first.start()]
        keyword = _KEYWORD.search(following)
        if keyword is None:
            before = list(_KEYWORD.finditer(preceding))
            keyword = before[-1] if before else None
        if keyword is None:
            result.append((days, None))
        elif keyword.group() in _WORK_WORDS:
            result.append((days, "work"))
        else:
            result.append((days, "rest"))
    return result, ok


def _resolve(year_text, month_text, day_text, previous, state, notice_year) -> dt.date:
    if year_text:
        year = int(year_text)
        state["year"] = year
    elif previous is not None and month_text is None:
        year = previous.year
    else:
        year = state["year"]
    if month_text is None:
        month = previous.month
    else:
        month = int(month_text)
    if not year_text:
        if state["new_year_item"] and month == 12 and year == notice_year:
            year = notice_year - 1  # "12月31日至1月2日" in the 元旦 item
        elif previous is not None and (month, int(day_text)) < (previous.month, previous.day) \
                and month_text is not None and previous.month == 12:
            year = previous.year + 1
    return dt.date(year, month, int(day_text))
