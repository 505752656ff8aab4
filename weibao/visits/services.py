"""Planning and recording on-site visits. A check-in on a visit dispatched from a ticket
is that ticket's on-site arrival (it stops the arrival SLA clock), so only the visit's
engineer checks in and out — or the project manager, giving a reason — and every
check-in, check-out and confirmation is audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.contracts.access import can, require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.people import compliance
from weibao.servicedesk.models import SlaClock
from weibao.servicedesk.services import tickets
from weibao.visits import access
from weibao.visits.models import Visit

S = Visit.Status


@transaction.atomic
def plan(contract, *, engineer, start: dt.datetime, end: dt.datetime, location: str, purpose: str,
         by, ticket=None) -> Visit:
    """Plan a round, or dispatch an engineer to a ticket.

    Dispatching decides that the ticket needs someone on site, so it sets the ticket's
    ``needs_onsite`` through the service desk like any other edit: the arrival clock
    starts now, under the ticket's policy (docs/decisions/0006-sla-clocks.md: a clock
    runs from when its target applies, not from the ticket's creation). A closed or
    resolved ticket cannot be dispatched to: its clocks are over and the check-in could
    not be its arrival. Whether an arrival target applies at all: ``arrival_is_timed``.
    """
    require(by, contract.pk, Capability.PLAN_VISITS)
    errors = {}
    if engineer is None or not can(engineer, contract.pk, Capability.SIGN_VISITS):
        # Clause 十一.4: the contract's own team goes on site; no subcontracting.
        errors["engineer"] = _("工程师必须是本合同乙方团队成员。")
    elif not access.may_go_on_site(engineer, contract.pk):
        errors["engineer"] = _("只能派遣驻场工程师、值班工程师或项目经理到场。")
    else:
        # Clause 五.2: insured and under a signed agreement on the day of the visit.
        allowed, reasons = compliance.may_be_assigned(engineer, contract, start.astimezone(clock.SHANGHAI).date())
        if not allowed:
            errors["engineer"] = _("该工程师暂不能派遣：%(why)s") % {"why": "；".join(reasons)}
    if end <= start:
        errors["planned_end"] = _("结束时间须晚于开始时间。")
    if not location.strip():
        errors["location"] = _("请填写地点。")
    if not purpose.strip():
        errors["purpose"] = _("请填写事由。")
    if ticket is not None and ticket.contract_id != contract.pk:
        errors["ticket"] = _("工单不属于本合同。")
    elif ticket is not None and not ticket.is_open:
        errors["ticket"] = _("工单 %(number)s 已解决或已结束，不能派遣；如需再次到场，请先重新打开工单，或安排计划巡检。") % {
            "number": ticket.number
        }
    if errors:
        raise ValidationError(errors)
    if ticket is not None and not ticket.needs_onsite:

        tickets.update_ticket(ticket, by=by, needs_onsite=True, comment=_("派遣工程师到场"))
    return Visit.objects.create(
        contract=contract, kind=Visit.Kind.DISPATCHED if ticket else Visit.Kind.PLANNED, ticket=ticket,
        engineer=engineer, planned_start=start, planned_end=end, location=location.strip()[:200],
        purpose=purpose.strip()[:300], created_by=by,
    )


def arrival_is_timed(visit: Visit) -> bool:
    """Whether the visit's check-in meets an arrival target (its ticket's policy has one)."""
    return visit.ticket_id is not None and visit.ticket.clocks.filter(target=SlaClock.Target.ARRIVAL).exists()


def _require(visit: Visit, *allowed: str) -> None:
    if visit.status not in allowed:
        raise ValidationError({"status": _("当前状态“%(s)s”不能执行此操作。") % {"s": visit.get_status_display()}})


def _signer(visit: Visit, by, reason: str) -> str:
    """Who may sign in or out: the visit's engineer, or the project manager with a reason
    (the engineer's phone died on site...). Returns the override reason, "" for the
    engineer. Anyone else — a hotline agent in the office — would stop the ticket's
    arrival clock without being there."""
    role = access.signing_role(visit, by)
    if role == "engineer":
        return ""
    if role == "manager":
        if not reason.strip():
            raise ValidationError({"reason": _("项目经理代工程师签到或签退时，请填写原因。")})
        return reason.strip()[:500]
    raise ValidationError({"engineer": _("只有本次现场服务的工程师本人可以签到和签退（项目经理可填写原因后代签）。")})


def visit_days(visit: Visit) -> tuple[dt.date, dt.date]:
    """The days (Asia/Shanghai) a visit is planned on: its start day to its end day."""
    return (visit.planned_start.astimezone(clock.SHANGHAI).date(),
            visit.planned_end.astimezone(clock.SHANGHAI).date())


def _check_the_day(visit: Visit, by, at: dt.datetime, reason: str) -> str:
    """A check-in stops the ticket's arrival clock, so it belongs to the visit's day: an
    engineer checking in a day early or late is refused. The project manager may record
    it anyway, saying why (returned, to be kept and audited)."""
    first, last = visit_days(visit)
    if first <= at.astimezone(clock.SHANGHAI).date() <= last:
        return ""
    day = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
    if not access.may_sign_outside_the_day(by, visit.contract_id):
        raise ValidationError({"arrived_at": _(
            "只能在计划日期（%(day)s）签到；如确需提前或延后，请项目经理填写原因后代签。"
        ) % {"day": day}})
    if not reason.strip():
        raise ValidationError({"reason": _(
            "签到不在计划日期（%(day)s），请填写原因。"
        ) % {"day": day}})
    return reason.strip()[:500]


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@transaction.atomic
def check_in(visit: Visit, *, by, at: dt.datetime | None = None, reason: str = "") -> Visit:
    require(by, visit.contract_id, Capability.SIGN_VISITS)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _require(visit, S.PLANNED)
    override = _signer(visit, by, reason)
    at = at or clock.now()
    outside = _check_the_day(visit, by, at, reason)
    override = override or outside
    visit.arrived_at = at
    visit.checked_in_by = by
    visit.status = S.ON_SITE
    fields = ["arrived_at", "checked_in_by", "status"]
    if override:
        visit.override_reason = override
        fields.append("override_reason")
    visit.save(update_fields=fields)
    ticket = visit.ticket
    arrival = False
    if ticket is not None and ticket.needs_onsite and ticket.arrived_at is None and ticket.is_open:

        tickets.record_arrival(ticket, by=by, at=at)
        arrival = True
    audit.record(
        "visit.check_in", obj=visit, actor=by,
        after={"arrived_at": _when(at), "engineer": visit.engineer.get_username()},
        detail={"recorded_at": _when(clock.now()), "override_reason": override,
                "outside_planned_day": bool(outside),
                "ticket": ticket.number if ticket else None, "ticket_arrival": arrival},
    )
    return visit


@transaction.atomic
def check_out(visit: Visit, *, by, work_done: str, parts_used: str = "", at: dt.datetime | None = None,
              reason: str = "") -> Visit:
    require(by, visit.contract_id, Capability.SIGN_VISITS)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _require(visit, S.ON_SITE)
    override = _signer(visit, by, reason)
    if not work_done.strip():
        raise ValidationError({"work_done": _("请填写工作内容。")})
    at = at or clock.now()
    if _minute(at) <= _minute(visit.arrived_at):
        # Strictly later, to the minute the page shows: a same-minute check-out is a
        # double tap, not a visit.
        raise ValidationError({"departed_at": _("离场时间须晚于到场时间（%(arrived)s）。") % {
            "arrived": f"{visit.arrived_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"}})
    visit.departed_at = at
    visit.checked_out_by = by
    visit.work_done = work_done.strip()[:5000]
    visit.parts_used = parts_used.strip()[:2000]
    visit.status = S.DONE
    fields = ["departed_at", "checked_out_by", "work_done", "parts_used", "status"]
    if override:
        visit.override_reason = override
        fields.append("override_reason")
    visit.save(update_fields=fields)
    audit.record(
        "visit.check_out", obj=visit, actor=by,
        after={"departed_at": _when(visit.departed_at), "engineer": visit.engineer.get_username()},
        detail={"recorded_at": _when(clock.now()), "override_reason": override},
    )
    return visit


@transaction.atomic
def confirm(visit: Visit, *, by, name: str = "", note: str = "") -> Visit:
    """Confirm the work, saying plainly who did.

    A bureau account confirming is the bureau's confirmation (``name``, optional, is who
    signed on site). A vendor user can only record the requester's on-site confirmation
    on their behalf: the requester's name is required, and the record says it was
    recorded by that vendor user.
    """
    require(by, visit.contract_id, Capability.CONFIRM_VISITS)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _require(visit, S.DONE)
    name = name.strip()[:100]
    kind = access.confirms_as(visit, by)
    if kind == Visit.ConfirmationKind.BUREAU:
        name = name or (getattr(by, "display_name", "") or by.get_username())[:100]
    elif kind == Visit.ConfirmationKind.ON_BEHALF:
        if not name:
            raise ValidationError({"confirmed_by_name": _("代请求人记录确认时，请填写请求人姓名。")})
    else:
        raise ValidationError({"confirmed_by": _("只有甲方人员或本合同乙方团队可以记录确认。")})
    visit.confirmation_kind = kind
    visit.confirmed_by = by
    visit.confirmed_by_name = name
    visit.confirmation_note = note.strip()[:500]
    visit.confirmed_at = clock.now()
    visit.status = S.CONFIRMED
    visit.save(update_fields=["confirmation_kind", "confirmed_by", "confirmed_by_name", "confirmation_note",
                              "confirmed_at", "status"])
    audit.record("visit.confirm", obj=visit, actor=by,
                 after={"kind": kind, "confirmed_by_name": name, "note": visit.confirmation_note,
                        "confirmed_at": _when(visit.confirmed_at), "text": visit.confirmation_text})
    return visit


def cancel(visit: Visit, *, by) -> Visit:
    require(by, visit.contract_id, Capability.PLAN_VISITS)
    _require(visit, S.PLANNED)
    visit.status = S.CANCELLED
    visit.save(update_fields=["status"])
    return visit
