"""The auditor's filters over the trail: one parser for the page and both exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.audit.models import AuditRecord
from weibao.audit.selectors import records_visible_to
from weibao.core import clock

TEXT_FILTERS = {
    "actor": "actor_username",
    "action": "action",
    "object_type": "object_type",
    "object_id": "object_id",
    "ip": "ip",
}


@dataclass
class AuditQuery:
    records: QuerySet | None
    errors: dict[str, str] = field(default_factory=dict)
    cleaned: dict[str, object] = field(default_factory=dict)


def audit_query(user, params) -> AuditQuery:
    """Records ``user`` may read, narrowed by ``params``. ``records`` is None when the
    user may read none. Bad values are reported per field and that filter is ignored."""
    records = records_visible_to(user)
    if records is None:
        return AuditQuery(None)
    errors, cleaned = {}, {}
    for name, column in TEXT_FILTERS.items():
        value = (params.get(name) or "").strip()[:150]
        if value:
            cleaned[name] = value
            records = records.filter(**{column: value})
    outcome = (params.get("outcome") or "").strip()
    if outcome:
        if outcome in AuditRecord.Outcome.values:
            cleaned["outcome"] = outcome
            records = records.filter(outcome=outcome)
        else:
            errors["outcome"] = _("无效的结果。")
    contract = (params.get("contract") or "").strip()
    if contract:
        if contract.isdigit():
            cleaned["contract"] = int(contract)
            records = records.filter(contract_id=int(contract))
        else:
            errors["contract"] = _("合同编号应为整数。")
    text = (params.get("q") or "").strip()[:100]
    if text:
        cleaned["q"] = text
        records = records.filter(object_repr__icontains=text)
    for name, op in (("date_from", "gte"), ("date_to", "lt")):
        value = (params.get(name) or "").strip()
        if not value:
            continue
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = _("日期格式应为 YYYY-MM-DD。")
            continue
        cleaned[name] = day
        if op == "lt":
            day += dt.timedelta(days=1)
        records = records.filter(**{f"at__{op}": dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)})
    return AuditQuery(records.order_by("-seq"), errors, cleaned)


def actions_visible_to(user) -> list[str]:
    records = records_visible_to(user)
    if records is None:
        return []
    return sorted(set(records.values_list("action", flat=True).distinct()[:500]))
