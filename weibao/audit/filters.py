"""The auditor's filters over the trail: one parser for the page and both exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.audit.models import AuditRecord
from weibao.audit.selectors import records_visible_to
from weibao.core import clock
from weibao.core.params import BadParameter, parse_choice, parse_date, require_id

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
    user may read none. Bad values (core.params decides) are reported per field and
    that filter is ignored."""
    records = records_visible_to(user)
    if records is None:
        return AuditQuery(None)
    errors, cleaned = {}, {}
    for name, column in TEXT_FILTERS.items():
        value = (params.get(name) or "").strip()[:150]
        if value:
            cleaned[name] = value
            records = records.filter(**{column: value})
    try:
        outcome = parse_choice(params.get("outcome"), "outcome", AuditRecord.Outcome.values)
    except BadParameter:
        errors["outcome"] = _("无效的结果。")
    else:
        if outcome:
            cleaned["outcome"] = outcome
            records = records.filter(outcome=outcome)
    try:
        contract = require_id(params.get("contract"), "contract", _("合同编号应为整数。"))
    except BadParameter as error:
        errors["contract"] = error.message
    else:
        if contract:
            cleaned["contract"] = contract
            records = records.filter(contract_id=contract)
    text = (params.get("q") or "").strip()[:100]
    if text:
        cleaned["q"] = text
        records = records.filter(object_repr__icontains=text)
    for name, op in (("date_from", "gte"), ("date_to", "lt")):
        try:
            day = parse_date(params.get(name), name)
        except BadParameter as error:
            errors[name] = error.message
            continue
        if day is None:
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
