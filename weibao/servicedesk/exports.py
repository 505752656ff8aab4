"""Ticket exports (CSV with BOM for Excel, XLSX), personal data masked, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from weibao.audit import services as audit
from weibao.contracts.access import contract_ids_where
from weibao.contracts.roles import Capability
from weibao.core.exports import table_response
from weibao.core.masking import mask_name, mask_phone

MAX_ROWS = 100_000
HEADERS = [
    _("工单号"),
    _("类型"),
    _("优先级"),
    _("状态"),
    _("渠道"),
    _("主题"),
    _("请求人"),
    _("单位"),
    _("联系电话"),
    _("服务目录项"),
    _("处理人"),
    _("支持组"),
    _("SLA"),
    _("最近到期"),
    _("创建时间"),
    _("解决时间"),
]


def rows(tickets):
    tickets = tickets.select_related("component", "assignee", "group")
    for t in tickets[:MAX_ROWS].iterator(chunk_size=2000):
        yield [
            t.number, t.get_type_display(), t.get_priority_display(), t.get_status_display(),
            t.get_channel_display(), t.subject, mask_name(t.requester_name), t.requester_organisation,
            mask_phone(t.requester_phone), str(t.component or ""), str(t.assignee or ""),
            str(t.group or ""), t.get_sla_state_display() if t.sla_state else "",
            t.sla_due_at, t.created_at, t.resolved_at,  # dates in the sheet, Shanghai time
        ]


def export(tickets, fmt: str, *, user, filters: dict, contract=None):
    """The list's ``tickets`` as a spreadsheet, only rows of contracts where ``user`` holds
    EXPORT_TICKETS; refused (PermissionDenied) to who holds it nowhere."""
    exportable = contract_ids_where(user, Capability.EXPORT_TICKETS)
    if not exportable:
        raise PermissionDenied(_("您没有导出工单的权限。"))
    tickets = tickets.filter(contract_id__in=exportable)
    count = tickets.count()
    audit.record(
        "ticket.export", actor=user, object_type="servicedesk.ticket",
        detail={"format": fmt, "rows": min(count, MAX_ROWS), "filters": {k: str(v) for k, v in filters.items()}},
        contract=contract,
    )
    return table_response([str(h) for h in HEADERS], rows(tickets), fmt, stem="tickets", sheet=str(_("工单")))
