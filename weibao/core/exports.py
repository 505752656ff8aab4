"""Tabular exports every list shares: CSV with a BOM (so Excel opens Chinese) streamed
row by row, and XLSX written in constant memory, with a bold, frozen header row and
columns as wide as their content.

Every cell passes through ``_value`` here, the one place that decides how a value is
written: numbers stay numbers, dates and moments stay dates (in Asia/Shanghai, as the
pages show them), a ``Percent`` is a percentage, and everything else is text that no
spreadsheet reads as a formula (OWASP "CSV Injection": ticket subjects come from the
public portal and usernames from the login form, so a cell must never run what a
stranger typed). Exports pass values as they are, not pre-formatted strings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from weibao.core import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_CELL_MAX = 32_767  # Excel's limit on the characters of one cell
# Column widths are measured on the header and the first rows, so the sheet is still
# written in one pass (widths precede the rows in the file); wider than a screen is no
# help, a long cell wraps on demand.
WIDTH_SAMPLE_ROWS = 1_000
WIDTH_MIN, WIDTH_MAX = 6, 60
MOMENT_FORMAT, DATE_FORMAT, PERCENT_FORMAT = "yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd", "0.0%"

# OWASP's list, and the full-width forms: Excel and WPS take ＝＋－＠ typed in a Chinese
# or Japanese input method as the ASCII operator, so they start a formula too.
_TRIGGERS = "=+\\-@＝＋－＠"
# A formula may follow spaces (ASCII, full-width, no-break) or invisible marks.
_FORMULA = re.compile(rf"^[\s\u200b-\u200d\u2060\ufeff]*[{_TRIGGERS}]")


def neutralise(text: str) -> str:
    """``text`` with a single quote in front when a spreadsheet would read it as a
    formula: a leading = + - @ (also full-width, also after spaces), tab or CR."""
    if text[:1] in ("\t", "\r") or _FORMULA.match(text):
        return "'" + text
    return text


@dataclass(frozen=True)
class Percent:
    """A rate in per cent (95.5 is 95.5%): "95.5%" in CSV, a percentage cell in XLSX."""

    value: int | float | Decimal


def _value(value):
    """What a cell holds: a number (counts, money, ``Percent``), a date, a moment as
    Shanghai wall time (a spreadsheet has no time zones), or neutralised text without
    the control characters a worksheet cannot hold."""
    if value is None:
        return ""
    if isinstance(value, Percent | int | float | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(clock.SHANGHAI).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, dt.date):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _text(value) -> str | int | float | Decimal:
    """A value as a CSV field (and as measured for a column's width)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Percent):
        return f"{value.value}%"
    return value


def _cell(value):
    return _text(_value(value))


def _xlsx_row(worksheet, row: Sequence, *, header: bool = False) -> list[WriteOnlyCell]:
    cells = []
    for value in row:
        value = _value(value)
        if isinstance(value, str):
            cell = WriteOnlyCell(worksheet, value=value[:XLSX_CELL_MAX])
            cell.data_type = "s"  # text, whatever it looks like: never a formula
        elif isinstance(value, Percent):
            cell = WriteOnlyCell(worksheet, value=float(value.value) / 100)
            cell.number_format = PERCENT_FORMAT
        else:
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = MOMENT_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
        if header:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _display_width(value) -> int:
    """Columns a value takes on screen: a CJK (wide) character takes two."""
    text = str(_cell(value))
    return max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
                for line in text.splitlines() or [""]), default=0)


def _widths(headers: Sequence, rows: Sequence[Sequence]) -> list[float]:
    widths = [_display_width(h) for h in headers]
    for row in rows:
        for index, value in enumerate(row[:len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, WIDTH_MIN), WIDTH_MAX) for width in widths]


def _xlsx(headers: Sequence[str], rows: Iterable[Sequence], sheet: str) -> bytes:
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    for index, width in enumerate(_widths(headers, sample), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.append(_xlsx_row(worksheet, headers, header=True))
    for row in itertools.chain(sample, rows):
        worksheet.append(_xlsx_row(worksheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Echo:
    def write(self, value):
        return value


def table_response(headers: Sequence[str], rows: Iterable[Sequence], fmt: str, *, stem: str, sheet: str):
    """``fmt`` is "csv" or "xlsx"; the file is named ``<stem>-<YYYYmmdd-HHMM>.<fmt>``."""
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"
            yield writer.writerow([_cell(value) for value in headers])
            for row in rows:
                yield writer.writerow([_cell(value) for value in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(_xlsx(headers, rows, sheet), content_type=XLSX)
    stamp = clock.local_now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{fmt}"'
    return response
