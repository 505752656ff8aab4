"""SLA policy edits by the project manager. A new target applies to tickets opened
from now on and to open tickets whose priority or type changes later; the clocks of
tickets already running keep the promise they were opened under."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.calendars.models import BusinessCalendar
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.servicedesk.models import SlaPolicy

MAX_MINUTES = 365 * 24 * 60


def update_policy(policy: SlaPolicy, *, by, **values) -> SlaPolicy:
    """Change a policy's targets and calendars; only who manages the contract's SLA."""
    require(by, policy.contract_id, Capability.MANAGE_SLA)
    before = audit.snapshot(policy)
    errors = {}
    for name in ("response_minutes", "arrival_minutes", "resolution_minutes"):
        if name not in values:
            continue
        value = values[name]
        if value is None and name == "arrival_minutes":
            setattr(policy, name, None)
            continue
        if not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
            errors[name] = _("应为 1–%(max)d 之间的分钟数。") % {"max": MAX_MINUTES}
            continue
        setattr(policy, name, value)
    for name in ("response_calendar", "arrival_calendar", "resolution_calendar"):
        if name not in values:
            continue
        calendar = values[name]
        if calendar is None and name == "arrival_calendar":
            setattr(policy, name, None)
            continue
        if not isinstance(calendar, BusinessCalendar) or calendar.contract_id != policy.contract_id:
            errors[name] = _("请选择本合同的日历。")
            continue
        setattr(policy, name, calendar)
    if "warn_percent" in values:
        value = values["warn_percent"]
        if not isinstance(value, int) or not 1 <= value <= 99:
            errors["warn_percent"] = _("预警比例应在 1–99 之间。")
        else:
            policy.warn_percent = value
    if policy.arrival_minutes and policy.arrival_calendar_id is None:
        errors["arrival_calendar"] = _("设置到场时限时须选择到场日历。")
    if errors:
        raise ValidationError(errors)
    policy.save()
    old, new = audit.changed(before, audit.snapshot(policy))
    if new:
        audit.record("sla.policy.update", obj=policy, actor=by, before=old, after=new)
    return policy
