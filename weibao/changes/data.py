"""Data-access requests (数据使用申请, clause 五.5): the bureau's consent to use the
platform's data for a purpose, a scope, systems and a period; and the rule that a ticket
or change marked as touching data is closed only with a linked, valid approval.

The service desk asks ``ticket_closable`` through its close-check registry
(``servicedesk.closing``), registered in this app's ``ready()``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.notifications.services import notify

from .models import DataAccessRequest, TicketDataMark
from .services import liaisons, next_number, sign

MAX_PERIOD_DAYS = 366
D = DataAccessRequest.Status


@transaction.atomic
def request_access(contract, *, by, purpose: str, data_scope: str, systems: str, period_start: dt.date | None,
                   period_end: dt.date | None) -> DataAccessRequest:
    require(by, contract.pk, Capability.REQUEST_DATA_ACCESS)
    errors = {}
    for field, value, message in (
        ("purpose", purpose, _("请填写用途。")), ("data_scope", data_scope, _("请填写数据范围。")),
        ("systems", systems, _("请填写涉及系统。")),
    ):
        if not (value or "").strip():
            errors[field] = message
    if period_start is None or period_end is None:
        errors["period_start"] = _("请填写使用期间。")
    elif period_end < period_start:
        errors["period_end"] = _("结束日期不能早于开始日期。")
    elif (period_end - period_start).days > MAX_PERIOD_DAYS:
        errors["period_end"] = _("使用期间最长一年。")
    if errors:
        raise ValidationError(errors)
    request = DataAccessRequest.objects.create(
        contract=contract, number=next_number(contract, "DA"), purpose=purpose.strip()[:500],
        data_scope=data_scope.strip(), systems=systems.strip()[:500], period_start=period_start,
        period_end=period_end, requested_by=by,
    )
    audit.record("data_access.requested", actor=by, obj=request, contract=contract,
                 after={"number": request.number, "purpose": request.purpose,
                        "period": f"{period_start.isoformat()}–{period_end.isoformat()}"})
    notify(liaisons(contract.pk), subject=_("【数据使用申请待审批】%(n)s %(p)s") % {"n": request.number, "p": request.purpose},
           contract=contract, link=reverse("changes:data_detail", args=[request.pk]), kind="data_access.requested",
           dedup_key=f"data_access.requested:{request.pk}")
    return request


def decide(request: DataAccessRequest, *, by, approve: bool, comment: str = "", otp: str = "") -> DataAccessRequest:
    """The bureau liaison's signed decision (second factor where enrolled), audited."""
    require(by, request.contract_id, Capability.APPROVE_DATA_ACCESS, _("只有甲方联络人可以审批数据使用申请。"))
    if request.status != D.REQUESTED:
        raise ValidationError({"status": _("此申请已%(state)s。") % {"state": request.get_status_display()}})
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": _("驳回时请填写意见。")})
    signed = sign(by, otp, "change.approval_failed", request, request.contract)
    with transaction.atomic():
        request.status = D.APPROVED if approve else D.REJECTED
        request.decided_by, request.decided_at = by, clock.now()
        request.decision_comment, request.second_factor = (comment or "").strip()[:1000], signed
        request.save()
        audit.record("data_access.approved" if approve else "data_access.rejected", actor=by, obj=request,
                     contract=request.contract, after={"second_factor": signed, "comment": request.decision_comment})
        notify(request.requested_by, subject=_("【数据使用申请%(what)s】%(n)s") % {
            "what": _("已批准") if approve else _("被驳回"), "n": request.number},
            contract=request.contract, link=reverse("changes:data_detail", args=[request.pk]),
            kind="data_access.decided", dedup_key=f"data_access.decided:{request.pk}")
    return request


@transaction.atomic
def revoke(request: DataAccessRequest, *, by, comment: str = "") -> DataAccessRequest:
    require(by, request.contract_id, Capability.APPROVE_DATA_ACCESS, _("只有甲方联络人可以撤销数据使用批准。"))
    if request.status != D.APPROVED:
        raise ValidationError({"status": _("只有已批准的申请可以撤销。")})
    request.status = D.REVOKED
    request.decision_comment = ((comment or "").strip() or request.decision_comment)[:1000]
    request.save(update_fields=["status", "decision_comment"])
    audit.record("data_access.revoked", actor=by, obj=request, contract=request.contract, after={"comment": comment})
    return request


@transaction.atomic
def mark_ticket(ticket, *, by, data_access: DataAccessRequest | None = None) -> TicketDataMark:
    """Mark ``ticket`` as touching the platform's data, linking the approval that allows
    the work (which must be in force today)."""
    require(by, ticket.contract_id, Capability.WORK_TICKETS)
    today = clock.today()
    if data_access is not None:
        if data_access.contract_id != ticket.contract_id:
            raise ValidationError({"data_access": _("数据使用申请不属于本合同。")})
        if not data_access.allows(today):
            raise ValidationError({"data_access": _("该数据使用申请今天不在有效期内或未获批准。")})
    mark, _created = TicketDataMark.objects.get_or_create(
        ticket=ticket, defaults={"contract_id": ticket.contract_id, "marked_by": by}
    )
    if data_access is not None:
        mark.data_access, mark.linked_on = data_access, today
        mark.save(update_fields=["data_access", "linked_on"])
    audit.record("data_access.ticket_marked", actor=by, obj=ticket, contract=ticket.contract,
                 after={"data_access": data_access.number if data_access else None})
    return mark


def ticket_closable(ticket) -> None:
    """The close check the service desk runs: a ticket marked as touching data needs a
    linked approval that was valid on the day it was linked and is not revoked."""
    mark = TicketDataMark.objects.filter(ticket=ticket).select_related("data_access").first()
    if mark is None:
        return
    approval = mark.data_access
    if approval is None or mark.linked_on is None or not approval.allows(mark.linked_on):
        raise ValidationError({"data_access": _(
            "此工单涉及平台数据：关闭前须关联有效的数据使用批准（合同第五条第5款）。"
        )})
