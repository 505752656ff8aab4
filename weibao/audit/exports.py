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


REVEAL_HEADERS = [_("序号"), _("时间"), _("操作人"), _("合同"), _("对象类型"), _("对象编号"), _("对象"), _("字段"), _("原因")]


def reveal_rows(records):
    """One row per reveal: who, when, which record, which field, why (the trail never
    holds the value revealed, so neither does the sheet)."""
    for r in records[:MAX_ROWS].iterator(chunk_size=2000):
        detail = r.detail if isinstance(r.detail, dict) else {}
        yield [r.seq, r.at, r.actor_username, r.contract_id or "", r.object_type, r.object_id, r.object_repr,
               field_label(detail.get("field", "")), detail.get("reason", "")]


# The personal-data fields a reveal names, as the auditor reads them.
FIELD_LABELS = {
    "requester_phone": _("请求人电话"),
    "requester_name": _("请求人姓名"),
    "requester_email": _("请求人邮箱"),
}


def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def export_reveals(records, fmt: str):
    return table_response([str(h) for h in REVEAL_HEADERS], reveal_rows(records), fmt, stem="reveals",
                          sheet=str(_("个人信息查看记录")))
