"""Tabular exports every list shares: CSV with a BOM (so Excel opens Chinese) streamed
row by row, and XLSX written in constant memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from weibao.core import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def table_response(headers: Sequence[str], rows: Iterable[Sequence], fmt: str, *, stem: str, sheet: str):
    """``fmt`` is "csv" or "xlsx"; the file is named ``<stem>-<YYYYmmdd-HHMM>.<fmt>``."""
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"
            yield writer.writerow(headers)
            for row in rows:
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        book = Workbook(write_only=True)
        worksheet = book.create_sheet(sheet)
        worksheet.append(list(headers))
        for row in rows:
            worksheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stamp = clock.local_now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.{fmt}"'
    return response
