"""CSV (UTF-8 with BOM, so Excel opens Chinese) and XLSX exports of filtered records."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from weibao.core import clock

MAX_ROWS = 100_000
HEADERS = ["序号", "时间", "操作人", "事件", "结果", "合同", "对象类型", "对象编号", "对象", "IP 地址",
           "客户端", "修改前", "修改后", "详情", "链哈希"]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def rows(records):
    for r in records[:MAX_ROWS].iterator(chunk_size=2000):
        yield [r.seq, r.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"), r.actor_username,
               r.action, r.get_outcome_display(), r.contract_id or "", r.object_type, r.object_id,
               r.object_repr, r.ip, r.user_agent, _json(r.before), _json(r.after), _json(r.detail),
               r.chain_hash]


class _Echo:
    def write(self, value):
        return value


def export(records, fmt: str):
    stamp = clock.local_now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"
            yield writer.writerow(HEADERS)
            for row in rows(records):
                yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("审计记录")
        sheet.append(HEADERS)
        for row in rows(records):
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response
