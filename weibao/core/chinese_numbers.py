"""Chinese numbers in every written form a contract uses, and the 大写 form of an amount.

One module, free of Django, for every app: integers (十五, 两, 壹佰叁拾柒万, 二〇二六),
amounts (1370000.00元, ¥1,370,000.00, 98.5万元, 壹佰叁拾柒万元整 with 角 and 分), ratios
(万分之三, 0.3‰, 百分之三十, 30%, 三成), dates (2026年3月9日, 二〇二六年三月九日, 2026.3.9),
periods (15个工作日, 十五日内, 三年, 半年) and terms ("服务期三年，自合同签订之日起").

Parsers return None when the text holds no such value; they never raise on odd input.
Full-width digits and signs (２０２６, ％, ．) are read as their ASCII forms.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# One character for one character, so positions found in the folded text are positions
# in the original (the importer quotes the original sentence).
_FOLD = str.maketrans(
    "０１２３４５６７８９％．，：（）＋－／～　",
    "0123456789%.,:()+-/~ ",
)

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "0": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "俩": 2,
    "三": 3, "叁": 3, "參": 3, "叄": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_MYRIAD = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}

CN_DIGIT_CHARS = "".join(k for k in _DIGITS if not k.isascii())
CN_NUMERAL_CHARS = CN_DIGIT_CHARS + "十拾百佰千仟万萬亿億廿"
# A number as written in a contract: Arabic (with thousands separators and a decimal
# part) or Chinese numerals, possibly with 点 for a decimal part.
NUMBER = (
    r"(?:[0-9][0-9,]*(?:\.[0-9]+)?|[" + CN_NUMERAL_CHARS + r"]+(?:点[" + CN_DIGIT_CHARS + r"]+)?)"
)

UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UPPER_UNITS = ("", "拾", "佰", "仟")
_UPPER_SECTIONS = ("", "万", "亿", "万亿")


_FULL_WIDTH = re.compile("[０-９％．，：（）＋－／～　]")
_FOLD_MAP = {chr(k): chr(v) for k, v in _FOLD.items()}


def fold(text: str) -> str:
    """Full-width digits and signs as ASCII, same length as ``text``."""
    # A substitution touches only the characters to fold: str.translate looks up every one.
    return _FULL_WIDTH.sub(lambda m: _FOLD_MAP[m.group()], text)


# --- integers and decimals ------------------------------------------------------------


def _below_myriad(text: str) -> int | None:
    total, digit, seen = 0, None, False
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
            seen = True
        elif ch in _SMALL_UNITS:
            # 十五 = 15: a unit without a digit before it counts once.
            total += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
            seen = True
        else:
            return None
    if not seen:
        return 0 if text == "" else None
    return total + (digit or 0)


def _with_units(text: str) -> int | None:
    for unit, value in (("亿", 10**8), ("億", 10**8), ("万", 10**4), ("萬", 10**4)):
        if unit in text:
            high, _, low = text.partition(unit)
            high_value = _with_units(high) if high else 1
            low_value = _with_units(low) if low else 0
            if high_value is None or low_value is None:
                return None
            # 三万五 (no unit after the last digit) is 35000: the digit is the next place.
            if low and low[-1] in _DIGITS and len(low.strip("零〇")) == 1 and not low.startswith(("零", "〇")):
                low_value *= value // 10
            return high_value * value + low_value
    return _below_myriad(text)


def parse_chinese_integer(text: str) -> int | None:
    """二〇二六 → 2026, 十五 → 15, 两 → 2, 壹佰叁拾柒万 → 1370000, 廿三 → 23."""
    text = text.strip().replace("廿", "二十").replace("卅", "三十")
    if not text:
        return None
    if all(ch in _DIGITS for ch in text):
        # A run of digits without units (二〇二六, the year of a date) reads digit by digit.
        return int("".join(str(_DIGITS[ch]) for ch in text))
    return _with_units(text)


def parse_number(text: str) -> Decimal | None:
    """A number in Arabic or Chinese numerals: 1,370,000.00; 98.5万; 三点五; 十五; 1.2亿."""
    text = fold(text).strip().replace(" ", "")
    if not text:
        return None
    multiplier = 1
    if text[-1] in _MYRIAD and re.fullmatch(r"[0-9][0-9,]*(?:\.[0-9]+)?[万萬亿億]", text):
        multiplier = _MYRIAD[text[-1]]
        text = text[:-1]
    if re.fullmatch(r"[0-9][0-9,]*(?:\.[0-9]+)?", text):
        try:
            return Decimal(text.replace(",", "")) * multiplier
        except InvalidOperation:
            return None
    whole, point, fraction = text.partition("点")
    value = parse_chinese_integer(whole) if whole else 0
    if value is None:
        return None
    if point:
        if not fraction or not all(ch in _DIGITS for ch in fraction):
            return None
        return Decimal(f"{value}.{''.join(str(_DIGITS[ch]) for ch in fraction)}")
    return Decimal(value)


def parse_count(text: str) -> int | None:
    """A head count or a number of times: 两名 → 2, 不少于3人 → 3, 一次 → 1."""
    match = re.search(NUMBER, fold(text))
    if not match:
        return None
    value = parse_number(match.group(0))
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


# --- money -----------------------------------------------------------------------------

CENT = Decimal("0.01")
_UPPER_AMOUNT = re.compile(
    r"[零壹贰叁肆伍陆柒捌玖拾佰仟万萬亿億〇一二两三四五六七八九十百千]+[元圆]"
    r"(?:[零〇]?[壹贰叁肆伍陆柒捌玖一二三四五六七八九]角)?"
    r"(?:[零〇]?[壹贰叁肆伍陆柒捌玖一二三四五六七八九]分)?[整正]?"
    r"|[壹贰叁肆伍陆柒捌玖一二三四五六七八九]角(?:[壹贰叁肆伍陆柒捌玖一二三四五六七八九]分)?"
    r"|[壹贰叁肆伍陆柒捌玖]分"
)
_FIGURE_AMOUNT = re.compile(
    r"(?:(?:人民币|RMB|CNY)\s*)?[¥￥]?\s*(?P<n>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<unit>万元|万|元)"
    r"|[¥￥]\s*(?P<n2>[0-9][0-9,]*(?:\.[0-9]+)?)"
    r"|小写[)）]?\s*[:：]?\s*(?P<n3>[0-9][0-9,]*(?:\.[0-9]+)?)"
)


def parse_upper_amount(text: str) -> Decimal | None:
    """壹佰叁拾柒万元整 → 1370000.00; 人民币壹拾万零伍佰元零伍分 → 100500.05."""
    text = fold(text).strip().replace(" ", "")
    for prefix in ("人民币", "大写", ":", "："):
        text = text.removeprefix(prefix)
    match = _UPPER_AMOUNT.fullmatch(text)
    if not match:
        return None
    yuan_text, sep, rest = text.replace("圆", "元").partition("元")
    if not sep:
        yuan_text, rest = "", text
    yuan = parse_chinese_integer(yuan_text.rstrip("零〇")) if yuan_text.rstrip("零〇") else 0
    if yuan is None:
        return None
    jiao = fen = 0
    m = re.search(r"([" + CN_DIGIT_CHARS + r"])角", rest)
    if m:
        jiao = _DIGITS[m.group(1)]
    m = re.search(r"([" + CN_DIGIT_CHARS + r"])分", rest)
    if m:
        fen = _DIGITS[m.group(1)]
    return (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(CENT)


def parse_amount(text: str) -> Decimal | None:
    """An amount of money in any written form: 1370000.00元, ¥1,370,000.00, 98.5万元,
    人民币壹佰叁拾柒万元整. The first one found in ``text``; None if there is none."""
    folded = fold(text)
    figure = _FIGURE_AMOUNT.search(folded)
    upper = _UPPER_AMOUNT.search(folded)
    if figure and (not upper or figure.start() <= upper.start()):
        number = figure.group("n") or figure.group("n2") or figure.group("n3")
        value = parse_number(number)
        if value is None:
            return None
        if (figure.group("unit") or "").startswith("万"):
            value *= 10**4
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    if upper:
        return parse_upper_amount(upper.group(0))
    return None


def find_upper_amount(text: str) -> str | None:
    """The 大写 amount written in ``text`` (壹佰叁拾柒万元整), as written; None if none."""
    for match in _UPPER_AMOUNT.finditer(fold(text)):
        written = match.group(0)
        # 大写 proper uses the financial digits; 十五元 in running text is not one.
        if any(ch in "壹贰叁肆伍陆柒捌玖拾佰仟" for ch in written):
            return written
    return None


def _upper_section(value: int) -> str:
    """0 < value < 10000, with zeros inside collapsed (壹仟零伍) and none at the end."""
    out, zero = [], False
    for place in range(3, -1, -1):
        digit = value // 10**place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(UPPER_DIGITS[digit] + _UPPER_UNITS[place])
    return "".join(out)


def amount_in_words(amount: Decimal) -> str:
    """The 大写 form of an amount, as on a cheque or a contract (《支付结算办法》附一):
    1370000 → 壹佰叁拾柒万元整; 100500.05 → 壹拾万零伍佰元零伍分; 0.30 → 叁角."""
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0:
        return "负" + amount_in_words(-amount)
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan >= 10**16:
        raise ValueError("amount too large for 大写")
    parts: list[str] = []
    sections = []
    rest = yuan
    while rest:
        sections.append(rest % 10**4)
        rest //= 10**4
    pending_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            pending_zero = bool(parts)
            continue
        if parts and (pending_zero or section < 1000):
            parts.append("零")
        parts.append(_upper_section(section) + _UPPER_SECTIONS[index])
        pending_zero = False
    words = "".join(parts)
    if yuan:
        words += "元"
    if jiao == 0 and fen == 0:
        return (words or "零元") + "整"
    if jiao:
        words += UPPER_DIGITS[jiao] + "角"
    if fen:
        if not jiao and yuan:
            words += "零"
        words += UPPER_DIGITS[fen] + "分"
    return words


def format_money(amount: Decimal) -> str:
    """Two decimals, no separators: the API's form of money."""
    return str(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP))


# --- ratios ----------------------------------------------------------------------------

_RATIO = re.compile(
    r"(?P<den>百|千|万)分之(?P<fnum>" + NUMBER + r")"
    r"|(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<sign>%|‰|‱)"
    r"|(?P<cheng>[一二三四五六七八九])成"
)
_DENOMINATOR = {"百": 100, "千": 1000, "万": 10000, "%": 100, "‰": 1000, "‱": 10000}


def find_ratios(text: str) -> list[tuple[Decimal, int, int]]:
    """Every ratio in ``text`` as (value, start, end): 万分之三 → 0.0003, 30% → 0.3."""
    found = []
    for match in _RATIO.finditer(fold(text)):
        if match.group("den"):
            number = parse_number(match.group("fnum"))
            denominator = _DENOMINATOR[match.group("den")]
        elif match.group("sign"):
            number = parse_number(match.group("num"))
            denominator = _DENOMINATOR[match.group("sign")]
        else:
            number, denominator = Decimal(_DIGITS[match.group("cheng")]), 10
        if number is None:
            continue
        found.append(((number / denominator).normalize(), match.start(), match.end()))
    return found


def parse_ratio(text: str) -> Decimal | None:
    """The first ratio in ``text``: 万分之三 → 0.0003, 0.3‰ → 0.0003, 百分之三十 → 0.3."""
    found = find_ratios(text)
    return found[0][0] if found else None


def format_ratio(value: Decimal) -> str:
    """A ratio as a decimal string with at least two places: 0.3 → "0.30", 0.0003 → "0.0003"."""
    value = Decimal(value).normalize()
    places = max(2, -value.as_tuple().exponent)
    return f"{value:.{places}f}"


# --- dates, periods, terms ---------------------------------------------------------------

_CN_DATE_DIGITS = "〇零○Ｏ一二三四五六七八九十"
_DATE = re.compile(
    r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]"
    r"|(?P<cy>[" + _CN_DATE_DIGITS + r"]{4})\s*年\s*(?P<cm>[" + _CN_DATE_DIGITS + r"]{1,2})\s*月"
    r"\s*(?P<cd>[" + _CN_DATE_DIGITS + r"]{1,3})\s*[日号]"
    r"|(?<![0-9.])(?P<ny>[0-9]{4})(?P<sep>[.\-/])(?P<nm>[0-9]{1,2})(?P=sep)(?P<nd>[0-9]{1,2})(?![0-9])"
)


def find_dates(text: str) -> list[tuple[dt.date, int, int]]:
    """Every valid date in ``text`` as (date, start, end): 2026年3月9日, 二〇二六年三月九日,
    2026.3.9, 2026-03-09, 2026/3/9. Impossible dates (2月30日) are skipped."""
    found = []
    for match in _DATE.finditer(fold(text)):
        if match.group("y"):
            parts = [int(match.group(k)) for k in ("y", "m", "d")]
        elif match.group("cy"):
            parts = [parse_chinese_integer(match.group(k)) for k in ("cy", "cm", "cd")]
            if None in parts:
                continue
        else:
            parts = [int(match.group(k)) for k in ("ny", "nm", "nd")]
        try:
            found.append((dt.date(*parts), match.start(), match.end()))
        except ValueError:
            continue
    return found


def parse_date(text: str) -> dt.date | None:
    found = find_dates(text)
    return found[0][0] if found else None


@dataclass(frozen=True)
class Period:
    """A length of time as a contract writes it: 15 working days, 3 years, 1 month."""

    count: int
    unit: str  # "working_day", "day", "week", "month", "year"

    @property
    def days(self) -> int | None:
        """Calendar days, for periods written in days or weeks only."""
        return {"day": self.count, "week": self.count * 7}.get(self.unit)


_PERIOD = re.compile(
    r"(?P<half>半)(?:个)?(?P<hunit>年|月)"
    r"|(?P<n>" + NUMBER + r")\s*(?:个|周)?\s*"
    r"(?P<unit>工作日|日历日|自然日|天|日|周|星期|个月|月|年度|年)"
)
_UNIT = {
    "工作日": "working_day", "日历日": "day", "自然日": "day", "天": "day", "日": "day",
    "周": "week", "星期": "week", "个月": "month", "月": "month", "年度": "year", "年": "year",
}


def find_periods(text: str) -> list[tuple[Period, int, int]]:
    """Every period in ``text``: 15个工作日, 十五日内, 三年, 一个月, 半年 (6 months)."""
    found = []
    folded = fold(text)
    for match in _PERIOD.finditer(folded):
        if match.group("half"):
            period = Period(6, "month") if match.group("hunit") == "年" else Period(15, "day")
        else:
            number = parse_number(match.group("n"))
            if number is None or number != number.to_integral_value() or number <= 0:
                continue
            unit = _UNIT[match.group("unit")]
            # 2026年3月 is a date, not a period of 2026 years.
            if unit in ("year", "month") and number > 100:
                continue
            if match.group("unit") == "月" and "个" not in folded[match.start():match.end()]:
                # 三月 alone is March; 三个月 is a period.
                continue
            period = Period(int(number), unit)
        found.append((period, match.start(), match.end()))
    return found


def parse_period(text: str) -> Period | None:
    found = find_periods(text)
    return found[0][0] if found else None


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February falls back to 28 February (Civil Code
    art. 202: without a corresponding day, the period ends on the last day of the month)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 31, 30, 29, 28):
        if candidate <= day.day:
            try:
                return dt.date(year, month, candidate)
            except ValueError:
                continue
    raise ValueError(day)


def period_end(start: dt.date, period: Period) -> dt.date:
    """The last day of a service term of ``period`` that starts on (and counts) ``start``:
    three years from 2026-01-15 end on 2029-01-14."""
    if period.unit == "year":
        return add_years(start, period.count) - dt.timedelta(days=1)
    if period.unit == "month":
        return add_months(start, period.count) - dt.timedelta(days=1)
    if period.days is not None:
        return start + dt.timedelta(days=period.days - 1)
    raise ValueError(f"a term cannot be counted in {period.unit}")


@dataclass(frozen=True)
class Term:
    """A service term: its dates, or its length and what it starts from."""

    start: dt.date | None
    end: dt.date | None
    period: Period | None
    starts_on_signing: bool = False


_ON_SIGNING = re.compile(r"自?(?:本?合同)?(?:签订|签署|签字|生效)(?:之日|日|后)")


def parse_term(text: str, signed_on: dt.date | None = None) -> Term | None:
    """A term as written: "自2026年03月09日起至2027年03月08日止", "2026.3.9至2027.3.8",
    "服务期三年，自合同签订之日起" (then ``signed_on`` is the start), "服务期一年，自
    2026年4月1日起". None when ``text`` states no term."""
    dates = find_dates(text)
    periods = [p for p, start, _ in find_periods(text) if p.unit in ("year", "month", "day", "week")
               and not any(ds <= start < de for _, ds, de in dates)]
    period = periods[0] if periods else None
    on_signing = bool(_ON_SIGNING.search(text))
    if len(dates) >= 2 and dates[1][0] >= dates[0][0]:
        return Term(dates[0][0], dates[1][0], period, False)
    if len(dates) == 1 and period is not None:
        return Term(dates[0][0], period_end(dates[0][0], period), period, False)
    if period is not None and on_signing:
        start = signed_on
        end = period_end(start, period) if start else None
        return Term(start, end, period, True)
    return None
