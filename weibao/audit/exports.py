"""CSV and XLSX exports of filtered audit records."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _

from weibao.audit.labels import action_label
from weibao.core.exports import table_response

MAX_ROWS = 100_000
HEADERS = [
    _("序号"),
    _("时间"),
    _("操作人"),
    _("事件"),
    _("事件说明"),
    _("结果"),
    _("合同"),
    _("对象类型"),
    _("对象编号"),
    _("对象"),
    _("IP 地址"),
    _("客户端"),
    _("修改前"),
    _("修改后"),
    _("详情"),
    _("链哈希"),
]


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def rows(records):
    for r in records[:MAX_ROWS].iterator(chunk_size=2000):
        yield [r.seq, r.at, r.actor_username,
               r.action, action_label(r.action), r.get_outcome_display(), r.contract_id or "", r.object_type, r.object_id,
               r.object_repr, r.ip, r.user_agent, _json(r.before), _json(r.after), _json(r.detail),
               r.chain_hash]


def export(records, fmt: str):
    return table_response([str(h) for h in HEADERS], rows(records), fmt, stem="audit", sheet=str(_("审计记录")))
