"""CSV and XLSX exports of filtered audit records."""

from __future__ import annotations

import json

from weibao.audit.labels import action_label
from weibao.core import clock
from weibao.core.exports import table_response

MAX_ROWS = 100_000
HEADERS = ["序号", "时间", "操作人", "事件", "事件说明", "结果", "合同", "对象类型", "对象编号", "对象", "IP 地址",
           "客户端", "修改前", "修改后", "详情", "链哈希"]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def rows(records):
    for r in records[:MAX_ROWS].iterator(chunk_size=2000):
        yield [r.seq, r.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"), r.actor_username,
               r.action, action_label(r.action), r.get_outcome_display(), r.contract_id or "", r.object_type, r.object_id,
               r.object_repr, r.ip, r.user_agent, _json(r.before), _json(r.after), _json(r.detail),
               r.chain_hash]


def export(records, fmt: str):
    return table_response(HEADERS, rows(records), fmt, stem="audit", sheet="审计记录")
