"""The one parser for untrusted values from a request: ids, numbers, money, rates, pages, dates,
datetimes, years, enums and free text.

A malformed value is the caller's mistake, answered with a 400 that names the field,
never a server error. Each parser returns the value, or None when it is absent, and
raises ``BadParameter(field, message)`` when it is present but wrong. One handler turns
that into the answer: the 400 page for the web (``UntrustedInputMiddleware``), DRF's
``{field: [message]}`` for the API (``weibao.api.errors``).

What got through before: Unicode digits (``²``, full-width ``２``, Arabic-Indic ``٣``) that
``str.isdigit`` accepts and ``int`` or the database refuses; ``1e999``; numbers past a
64-bit column; year 1 and year 9999, whose day arithmetic overflows; NUL bytes (those are
refused request-wide, see ``core.middleware``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from weibao.core import chinese_numbers, clock
from weibao.core.views import wants_json

# A database id fits in a signed 64-bit integer (19 digits); longer input is not an id.
MAX_ID_DIGITS = 18
# Dates a person types for this service: the working-time engine's years (calendars.engine),
# and far enough from year 1 and 9999 that adding days or a time zone cannot overflow.
FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_PAGE = 1_000_000
# Only ASCII digits: ``\d`` and ``str.isdigit`` accept other scripts' digits.
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_HH_MM = re.compile(r"[0-9]{2}:[0-9]{2}", re.ASCII)
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?", re.ASCII
)


# C0 control characters other than tab, line feed and carriage return: nothing a person
# types, and NUL is refused by PostgreSQL text columns (a DataError, so a 500).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Deeper JSON is no request body Weibao takes, and Python's parser recurses: at a few
# thousand levels it raises RecursionError instead of a ValueError.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class BadParameter(ValueError):
    """A request value that is present but not what the field takes."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _text(value) -> str:
    return str(value if value is not None else "").strip()


def _ascii_int(text: str, max_digits: int = MAX_ID_DIGITS) -> int | None:
    if len(text) > max_digits or not _DIGITS.fullmatch(text):
        return None
    return int(text)


def parse_id(value) -> int | None:
    """The positive integer id in ``value``, or None when it is absent or not one.

    Lenient on purpose, for lookups where "not an id" and "no such row" answer the same
    (a 404, an ignored filter). Use ``require_id`` when a malformed id must be a 400.
    """
    number = _ascii_int(_text(value))
    return number or None


def require_id(value, field: str, message: str | None = None) -> int | None:
    """The positive integer id in ``value``; None when absent; BadParameter otherwise."""
    text = _text(value)
    if not text:
        return None
    number = parse_id(text)
    if number is None:
        raise BadParameter(field, message or _("应为编号（正整数）。"))
    return number


def parse_positive_int(
    value, field: str, *, maximum: int | None = None, minimum: int = 1, required: bool = False
) -> int | None:
    """An integer of ASCII digits between ``minimum`` and ``maximum``; None when absent
    (refused when ``required``)."""
    text = _text(value)
    if not text:
        if required:
            raise BadParameter(field, _("请填写数字。"))
        return None
    number = _ascii_int(text)
    if number is None or number < minimum:
        if minimum == 0:
            raise BadParameter(field, _("应为非负整数。"))
        raise BadParameter(field, _("应为正整数。"))
    if maximum is not None and number > maximum:
        raise BadParameter(field, _("不能大于 %(max)d。") % {"max": maximum})
    return number


_MONEY = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?", re.ASCII)


def parse_money(value, field: str, *, required: bool = True) -> Decimal | None:
    """An amount in yuan with at most two decimals ("1370000", "411000.50")."""
    text = str(value or "").strip().replace(",", "")
    if not text:
        if required:
            raise BadParameter(field, _("请填写金额。"))
        return None
    if not _MONEY.fullmatch(text):
        raise BadParameter(field, _("金额应为数字，最多两位小数。"))
    return Decimal(text)


_RATE = re.compile(r"[0-9]{1,3}(\.[0-9]+)?", re.ASCII)


def parse_rate(value, field: str, *, places: int = 8, required: bool = True) -> Decimal | None:
    """A rate as a decimal ("0.0003") or as a contract writes it (万分之三, 0.3‰, 0.03%, 30%):
    the whole value, not a ratio found inside other words; at most ``places`` decimal places
    (the column's: more would be rounded away unseen)."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise BadParameter(field, _("请填写比率。"))
        return None
    if _RATE.fullmatch(text) and len(text) <= 40:
        rate = Decimal(text)
    else:
        found = chinese_numbers.find_ratios(text) if len(text) <= 40 else []
        if len(found) != 1 or (found[0][1], found[0][2]) != (0, len(text)):
            raise BadParameter(field, _("比率应为小数（如 0.0003）或“万分之三”“0.3‰”“0.03%”。"))
        rate = found[0][0]
    if -rate.normalize().as_tuple().exponent > places:
        raise BadParameter(field, _("比率最多 %(places)d 位小数。") % {"places": places})
    return rate


def parse_page(value, field: str = "page") -> int:
    """A page number (1 when absent). A page past the last is the paginator's to clamp."""
    return parse_positive_int(value, field, maximum=MAX_PAGE) or 1


def page_of(request, items, per_page: int, field: str = "page"):
    """The Django ``Paginator`` page that ``?page=`` asks for; a malformed number is a 400."""
    return Paginator(items, per_page).get_page(parse_page(request.GET.get(field), field))


def _check_year(year: int, field: str, first: int, last: int) -> None:
    if not first <= year <= last:
        raise BadParameter(
            field,
            _("日期超出范围（应在 %(first)d 年至 %(last)d 年之间）。")
            % {"first": first, "last": last},
        )


def parse_date(
    value, field: str, *, first: int = FIRST_YEAR, last: int = LAST_YEAR
) -> dt.date | None:
    """A ``YYYY-MM-DD`` date in the years ``first`` to ``last`` (2000 to 2100 unless told,
    e.g. the working-time engine's narrower range); None when absent."""
    text = _text(value)
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(field, _("日期格式应为 YYYY-MM-DD。")) from None
    _check_year(day.year, field, first, last)
    return day


def parse_datetime(
    value,
    field: str,
    *,
    tz: dt.tzinfo = clock.SHANGHAI,
    first: int = FIRST_YEAR,
    last: int = LAST_YEAR,
) -> dt.datetime | None:
    """A ``YYYY-MM-DDTHH:MM[:SS]`` local time (in ``tz``, Beijing time unless told), years
    ``first`` to ``last``; None when absent. An offset in the text is refused, not guessed at."""
    text = _text(value)
    if not text:
        return None
    try:
        if not _ISO_DATETIME.fullmatch(text):
            raise ValueError(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter(field, _("时间格式应为 YYYY-MM-DDTHH:MM。")) from None
    _check_year(moment.year, field, first, last)
    return moment.replace(tzinfo=tz)


def parse_year(
    value, field: str = "year", *, first: int = FIRST_YEAR, last: int = LAST_YEAR
) -> int | None:
    """A year between ``first`` and ``last`` (2000 to 2100 unless told); None when absent."""
    text = _text(value)
    if not text:
        return None
    year = _ascii_int(text, max_digits=4)
    if year is None or not first <= year <= last:
        raise BadParameter(
            field, _("年份应在 %(first)d 至 %(last)d 之间。") % {"first": first, "last": last}
        )
    return year


def parse_choice(value, field: str, choices: Iterable[str]) -> str | None:
    """One of ``choices`` (exactly); None when absent."""
    text = _text(value)
    if not text:
        return None
    if text not in set(choices):
        raise BadParameter(field, _("不是可选的值。"))
    return text


def parse_text(value, field: str, max_length: int, *, required: bool = False) -> str:
    """Free text a person typed, stripped: "" when absent (a 400 when ``required``), a 400
    when longer than ``max_length`` characters. The column's own limit belongs here:
    PostgreSQL refuses an over-long value with a DataError (a 500), SQLite stores it."""
    text = _text(value)
    if required and not text:
        raise BadParameter(field, _("请填写此项。"))
    if len(text) > max_length:
        raise BadParameter(field, _("内容过长（最多 %(limit)d 字）。") % {"limit": max_length})
    return text


def parse_time(value, field: str) -> dt.time | None:
    """A ``HH:MM`` time of day; None when absent."""
    text = _text(value)
    if not text:
        return None
    try:
        # Exactly HH:MM: fromisoformat also takes "0900Z" (a time with a zone, which SQLite
        # cannot store) and "T0900".
        if not _HH_MM.fullmatch(text):
            raise ValueError(text)
        return dt.time.fromisoformat(text)
    except ValueError:
        raise BadParameter(field, _("时间格式应为 HH:MM。")) from None


def refuse_unknown_names(data, known: Iterable[str], what: str) -> None:
    """A body naming a field ``what`` does not have (a typo such as ``due_date``) is a 400
    naming it and listing the fields there are, not silently ignored."""
    known = list(known)
    unknown = sorted(str(name) for name in data if name not in known)
    if unknown:
        raise BadParameter(unknown[0][:100], _("不是%(what)s的字段（可用：%(names)s）。") % {
            "what": what, "names": "、".join(known)})


def json_value(data, name: str, kinds: tuple[type, ...] = ()):
    """The value sent for ``name`` in a form or a JSON body: text, None, or one of the JSON
    ``kinds`` the field also takes (a number as its shortest exact text: 1234.5 → "1234.5";
    ``bool`` kept as it is). Anything else — a list, an object, true where text belongs — is
    a 400 naming the field, not its ``str()`` stored."""
    value = data.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        if bool in kinds:
            return value
    elif isinstance(value, kinds) and isinstance(value, int | float):
        return repr(value)
    elif isinstance(value, kinds):
        return value
    raise BadParameter(name, _("应为文本。") if not kinds else _("类型不对。"))


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest, without parsing it."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match[0] in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_next(value, request, default: str = "/") -> str:
    """Where to go back to: a path on this site, else ``default``.

    ``redirect()`` reads anything without a slash as a URL pattern name, so ``next=²``
    raised NoReverseMatch (a 500); another host is an open redirect.
    """
    text = _text(value)
    if (
        not text.startswith("/")
        or text.startswith("//")
        or not url_has_allowed_host_and_scheme(text, allowed_hosts={request.get_host()})
    ):
        return default
    return text


def bad_request(request, message: str):
    """A 400 page that says which field was wrong and how."""
    return render(request, "400.html", {"message": message}, status=400)


def bad_parameter_response(request, exc: BadParameter):
    """The one answer to a BadParameter outside the API's views: JSON ``{field: [message]}``
    for JSON callers, the 400 page naming the field otherwise."""
    if wants_json(request):
        return JsonResponse({exc.field: [exc.message]}, status=400)
    return bad_request(
        request,
        _("参数 %(field)s 无效：%(message)s") % {"field": exc.field, "message": exc.message},
    )
