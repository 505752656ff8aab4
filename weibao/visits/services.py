"""Planning and recording on-site visits. A check-in on a visit dispatched from a ticket
is that ticket's on-site arrival (it stops the arrival SLA clock)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.roles import VENDOR_ROLES
from weibao.audit import services as audit
from weibao.contracts.scoping import is_member
from weibao.core import clock
from weibao.visits.models import Visit

S = Visit.Status


def plan(contract, *, engineer, start: dt.datetime, end: dt.datetime, location: str, purpose: str,
         by, ticket=None) -> Visit:
    errors = {}
    if engineer is None or not is_member(engineer, contract.pk, roles=VENDOR_ROLES):
        # Clause 十一.4: the contract's own team goes on site; no subcontracting.
        errors["engineer"] = _("工程师必须是本合同乙方团队成员。")
    if end <= start:
        errors["planned_end"] = _("结束时间须晚于开始时间。")
    if not location.strip():
        errors["location"] = _("请填写地点。")
    if not purpose.strip():
        errors["purpose"] = _("请填写事由。")
    if ticket is not None and ticket.contract_id != contract.pk:
        errors["ticket"] = _("工单不属于本合同。")
    if errors:
        raise ValidationError(errors)
    return Visit.objects.create(
        contract=contract, kind=Visit.Kind.DISPATCHED if ticket else Visit.Kind.PLANNED, ticket=ticket,
        engineer=engineer, planned_start=start, planned_end=end, location=location.strip()[:200],
        purpose=purpose.strip()[:300], created_by=by,
    )


def _require(visit: Visit, *allowed: str) -> None:
    if visit.status not in allowed:
        raise ValidationError({"status": _("当前状态“%(s)s”不能执行此操作。") % {"s": visit.get_status_display()}})


@transaction.atomic
def check_in(visit: Visit, *, by, at: dt.datetime | None = None) -> Visit:
    _require(visit, S.PLANNED)
    if by.pk != visit.engineer_id and not is_member(by, visit.contract_id, roles=VENDOR_ROLES):
        raise ValidationError({"engineer": _("只有乙方团队成员可以签到。")})
    at = at or clock.now()
    visit.arrived_at = at
    visit.status = S.ON_SITE
    visit.save(update_fields=["arrived_at", "status"])
    ticket = visit.ticket
    if ticket is not None and ticket.needs_onsite and ticket.arrived_at is None and ticket.is_open:
        from weibao.servicedesk.services.tickets import record_arrival

        record_arrival(ticket, by=by, at=at)
    return visit


def check_out(visit: Visit, *, by, work_done: str, parts_used: str = "", at: dt.datetime | None = None) -> Visit:
    _require(visit, S.ON_SITE)
    if not work_done.strip():
        raise ValidationError({"work_done": _("请填写工作内容。")})
    visit.departed_at = at or clock.now()
    visit.work_done = work_done.strip()[:5000]
    visit.parts_used = parts_used.strip()[:2000]
    visit.status = S.DONE
    visit.save(update_fields=["departed_at", "work_done", "parts_used", "status"])
    return visit


def confirm(visit: Visit, *, by, name: str, note: str = "") -> Visit:
    """The requester (or the bureau's staff on site) confirms the work."""
    _require(visit, S.DONE)
    if not name.strip():
        raise ValidationError({"confirmed_by_name": _("请填写确认人。")})
    visit.confirmed_by_name = name.strip()[:100]
    visit.confirmation_note = note.strip()[:500]
    visit.confirmed_at = clock.now()
    visit.status = S.CONFIRMED
    visit.save(update_fields=["confirmed_by_name", "confirmation_note", "confirmed_at", "status"])
    audit.record("visit.confirm", obj=visit, actor=by,
                 after={"confirmed_by_name": visit.confirmed_by_name, "note": visit.confirmation_note})
    return visit


def cancel(visit: Visit, *, by) -> Visit:
    _require(visit, S.PLANNED)
    visit.status = S.CANCELLED
    visit.save(update_fields=["status"])
    return visit
