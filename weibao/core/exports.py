"""Tabular exports every list shares: CSV with a BOM (so Excel opens Chinese) streamed
row by row, and XLSX written in constant memory.

Every cell passes through ``_cell`` here, the one place that decides how a value is
written: numbers stay numbers, everything else is text that no spreadsheet reads as a
formula (OWASP "CSV Injection": ticket subjects come from the public portal and
usernames from the login form, so a cell must never run what a stranger typed)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from weibao.core import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_CELL_MAX = 32_767  # Excel's limit on the characters of one cell

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


def _cell(value):
    """A number stays a number (counts, money); anything else becomes neutralised text
    without the control characters a worksheet cannot hold."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _xlsx_row(worksheet, row: Sequence) -> list[WriteOnlyCell]:
    cells = []
    for value in row:
        value = _cell(value)
        if isinstance(value, str):
            cell = WriteOnlyCell(worksheet, value=value[:XLSX_CELL_MAX])
            cell.data_type = "s"  # text, whatever it looks like: never a formula
        else:
            cell = WriteOnlyCell(worksheet, value=value)
        cells.append(cell)
    return cells


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
        book = Workbook(write_only=True)
        worksheet = book.create_sheet(sheet)
        worksheet.append(_xlsx_row(worksheet, headers))
        for row in rows:
            worksheet.append(_xlsx_row(worksheet, row))
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stamp = clock.local_now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{fmt}"'
    return response
