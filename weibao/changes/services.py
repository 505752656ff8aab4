"""What the vendor and the bureau do with change requests (变更, clause 五.5).

A normal change needs the bureau liaison's approval (and, where the contract says so, the
PM's before it) before it is implemented; a standard change comes from a template the
bureau approved once; an emergency change starts at once and must be approved
retroactively within the contract's hours, flagged until it is. Approvals are signed with
the approver's login plus their second factor where enrolled, and audited.

Every function refuses (PermissionDenied) a user without the capability it needs.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao import audit
from weibao.accounts.services import second_factor
from weibao.accounts.services.login import count_otp_failure
from weibao.contracts.access import can, require
from weibao.contracts.models import Membership
from weibao.contracts.roles import Capability, ContractRole
from weibao.contracts.services import project_managers
from weibao.core import clock
from weibao.notifications.services import notify
from weibao.people import compliance

from .models import (
    ChangeApproval,
    ChangeRequest,
    ChangeSettings,
    DataAccessRequest,
    StandardChangeTemplate,
)

S = ChangeRequest.Status
K = ChangeRequest.Kind

# The moves a change may make; approval and rejection are their own signed acts.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REQUESTED: (S.IMPLEMENTING, S.CANCELLED),  # implementing: an emergency change only
    S.APPROVED: (S.IMPLEMENTING, S.CANCELLED),
    S.IMPLEMENTING: (S.IMPLEMENTED, S.ROLLED_BACK),
    S.IMPLEMENTED: (S.CLOSED,),
    S.ROLLED_BACK: (S.CLOSED,),
    S.CLOSED: (),
    S.REJECTED: (),
    S.CANCELLED: (),
}
OPEN_STATUSES = (S.REQUESTED, S.APPROVED, S.IMPLEMENTING)
MAX_WINDOW = dt.timedelta(days=14)


def settings_for(contract) -> ChangeSettings:
    found, _created = ChangeSettings.objects.get_or_create(contract=contract)
    return found


def save_settings(contract, *, by, pm_approval_first: bool, retro_approval_hours: int) -> ChangeSettings:
    require(by, contract.pk, Capability.CONFIGURE_CHANGES)
    if not 1 <= retro_approval_hours <= 720:
        raise ValidationError({"retro_approval_hours": _("补批时限应在 1 到 720 小时之间。")})
    found = settings_for(contract)
    before = {"pm_approval_first": found.pm_approval_first, "retro_approval_hours": found.retro_approval_hours}
    found.pm_approval_first, found.retro_approval_hours = pm_approval_first, retro_approval_hours
    found.save(update_fields=["pm_approval_first", "retro_approval_hours"])
    audit.record("change.settings_saved", actor=by, obj=found, contract=contract, before=before,
                 after={"pm_approval_first": pm_approval_first, "retro_approval_hours": retro_approval_hours})
    return found


def next_number(contract, prefix: str) -> str:
    """CH-2026-0001 / DA-2026-0001: per contract, gap-free under concurrent creation."""
    with transaction.atomic():
        settings_for(contract)
        row = ChangeSettings.objects.select_for_update().get(contract=contract)
        row.last_number += 1
        row.save(update_fields=["last_number"])
    return f"{prefix}-{clock.local_now().year}-{row.last_number:04d}"


def sign(by, otp: str, action: str, obj, contract) -> bool:
    """The approver's second factor, where enrolled: refused (400 naming ``otp``) when
    missing or wrong; a wrong code is audited outside the caller's transaction."""
    if by is None or not getattr(by, "totp_enabled", False):
        return False
    code = (otp or "").strip()
    if not code:
        raise ValidationError({"otp": _("您已启用二次验证：签署审批请输入动态验证码。")})
    if not second_factor.verify(by, code):
        # Counted as at login: guessing codes on an approval locks the account too.
        count_otp_failure(by)
        audit.record(action, actor=by, obj=obj, contract=contract, outcome="failure")
        raise ValidationError({"otp": _("动态验证码不正确或已使用。")})
    return True


def liaisons(contract_id: int) -> list:
    return [
        m.user for m in Membership.objects.filter(
            contract_id=contract_id, role=ContractRole.BUREAU_LIAISON, active=True, user__is_active=True
        ).select_related("user")
    ]


def _link(change: ChangeRequest) -> str:
    return reverse("changes:detail", args=[change.pk])


def bureau_approved(change: ChangeRequest) -> bool:
    return any(a.step == ChangeApproval.Step.BUREAU and a.decision == ChangeApproval.Decision.APPROVE
               for a in change.approvals.all())


def pm_endorsed(change: ChangeRequest) -> bool:
    return any(a.step == ChangeApproval.Step.PM and a.decision == ChangeApproval.Decision.APPROVE
               for a in change.approvals.all())


def missing_approvals(change: ChangeRequest) -> list[str]:
    """What a normal change still lacks before it may be implemented, in words."""
    if change.kind != K.NORMAL:
        return []
    missing = []
    if settings_for(change.contract).pm_approval_first and not pm_endorsed(change):
        missing.append(_("项目经理同意"))
    if not bureau_approved(change):
        missing.append(_("甲方联络人审批"))
    return missing


def awaiting_retro_approval(change: ChangeRequest) -> bool:
    """An emergency change under way (or done) without the bureau's approval: flagged."""
    return (change.kind == K.EMERGENCY and change.started_at is not None
            and change.status != S.CANCELLED and not bureau_approved(change))


def retro_overdue(change: ChangeRequest, now: dt.datetime | None = None) -> bool:
    return awaiting_retro_approval(change) and change.retro_due_at is not None and (now or clock.now()) > change.retro_due_at


def _check_fields(contract, *, kind, title, reason, implementation_plan, rollback_plan, planned_start,
                  planned_end, risk, template, components, implementer, data_access, tickets) -> None:
    errors = {}
    if kind not in K.values:
        errors["kind"] = _("类型应为：%(all)s") % {"all": ", ".join(K.values)}
    if risk not in ChangeRequest.Risk.values:
        errors["risk"] = _("风险等级应为：%(all)s") % {"all": ", ".join(ChangeRequest.Risk.values)}
    if not (title or "").strip():
        errors["title"] = _("请填写变更内容。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写变更原因。")
    if kind == K.STANDARD:
        if template is None or template.contract_id != contract.pk or not template.usable:
            errors["template"] = _("标准变更须选择本合同已经甲方批准的标准变更模板。")
    else:
        if not (implementation_plan or "").strip():
            errors["implementation_plan"] = _("请填写实施方案。")
        if not (rollback_plan or "").strip():
            errors["rollback_plan"] = _("请填写回退方案。")
    if planned_start is None or planned_end is None:
        errors["planned_start"] = _("请填写计划开始和结束时间。")
    elif planned_end <= planned_start:
        errors["planned_end"] = _("计划结束时间应晚于开始时间。")
    elif planned_end - planned_start > MAX_WINDOW:
        errors["planned_end"] = _("变更窗口最长 14 天。")
    if any(c.contract_id != contract.pk for c in components):
        errors["components"] = _("服务目录项不属于本合同。")
    if any(t.contract_id != contract.pk for t in tickets):
        errors["tickets"] = _("工单不属于本合同。")
    if data_access is not None and data_access.contract_id != contract.pk:
        errors["data_access"] = _("数据使用申请不属于本合同。")
    if implementer is not None:
        if not can(implementer, contract.pk, Capability.REQUEST_CHANGES):
            errors["implementer"] = _("实施人必须是本合同乙方的工程师或项目经理（合同第十一条第4款）。")
        else:
            allowed, reasons = compliance.may_be_assigned(implementer, contract)
            if not allowed:
                errors["implementer"] = _("该人员暂不能安排工作：%(why)s") % {"why": "；".join(reasons)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def request_change(contract, *, by, kind: str, title: str, reason: str, planned_start, planned_end,
                   implementation_plan: str = "", rollback_plan: str = "", description: str = "",
                   risk: str = ChangeRequest.Risk.MEDIUM, impact: str = "", template=None, components=(),
                   implementer=None, touches_data: bool = False, data_access=None, tickets=()) -> ChangeRequest:
    require(by, contract.pk, Capability.REQUEST_CHANGES)
    components, tickets = list(components), list(tickets)
    _check_fields(contract, kind=kind, title=title, reason=reason, implementation_plan=implementation_plan,
                  rollback_plan=rollback_plan, planned_start=planned_start, planned_end=planned_end, risk=risk,
                  template=template, components=components, implementer=implementer,
                  data_access=data_access, tickets=tickets)
    if kind == K.STANDARD:
        implementation_plan = implementation_plan.strip() or template.implementation_plan
        rollback_plan = rollback_plan.strip() or template.rollback_plan
        description = description.strip() or template.description
    change = ChangeRequest.objects.create(
        contract=contract, number=next_number(contract, "CH"), kind=kind, template=template,
        title=title.strip()[:200], description=description, reason=reason.strip(), risk=risk, impact=impact,
        implementation_plan=implementation_plan, rollback_plan=rollback_plan, planned_start=planned_start,
        planned_end=planned_end, implementer=implementer or by, requested_by=by, touches_data=touches_data or data_access is not None,
        data_access=data_access,
        # A standard change is pre-approved by its template.
        status=S.APPROVED if kind == K.STANDARD else S.REQUESTED,
    )
    change.components.set(components)
    change.tickets.set(tickets)
    audit.record("change.requested", actor=by, obj=change, contract=contract,
                 after={"number": change.number, "kind": kind, "title": change.title,
                        "planned_start": planned_start.isoformat(), "planned_end": planned_end.isoformat()})
    if kind != K.STANDARD:
        notify(liaisons(contract.pk), subject=_("【变更待审批】%(n)s %(t)s") % {"n": change.number, "t": change.title},
               contract=contract, link=_link(change), kind="change.requested", dedup_key=f"change.requested:{change.pk}")
    return change


def endorse(change: ChangeRequest, *, by, comment: str = "", otp: str = "", approve: bool = True) -> ChangeApproval:
    """The PM's agreement before the bureau's (where the contract asks for it)."""
    require(by, change.contract_id, Capability.ENDORSE_CHANGES)
    if change.kind != K.NORMAL or change.status != S.REQUESTED:
        raise ValidationError({"status": _("只有待审批的普通变更需要项目经理同意。")})
    if pm_endorsed(change):
        raise ValidationError({"status": _("项目经理已同意此变更。")})
    signed = sign(by, otp, "change.approval_failed", change, change.contract)
    with transaction.atomic():
        decision = ChangeApproval.Decision.APPROVE if approve else ChangeApproval.Decision.REJECT
        approval = ChangeApproval.objects.create(
            change=change, step=ChangeApproval.Step.PM, decision=decision, comment=comment.strip()[:1000],
            by=by, second_factor=signed,
        )
        if not approve:
            ChangeRequest.objects.filter(pk=change.pk).update(status=S.REJECTED)
            change.status = S.REJECTED
        audit.record("change.endorsed" if approve else "change.rejected", actor=by, obj=change,
                     contract=change.contract, after={"step": "pm", "second_factor": signed, "comment": comment})
    return approval


def approve(change: ChangeRequest, *, by, approve: bool = True, comment: str = "", otp: str = "") -> ChangeApproval:
    """The bureau liaison's signed decision; for an emergency change already started it
    is the retroactive approval that clears its flag."""
    require(by, change.contract_id, Capability.APPROVE_CHANGES, _("只有甲方联络人可以审批变更。"))
    if change.kind == K.STANDARD:
        raise ValidationError({"status": _("标准变更已由模板预先批准，无需逐项审批。")})
    if bureau_approved(change):
        raise ValidationError({"status": _("甲方已批准此变更。")})
    if change.status in (S.REJECTED, S.CANCELLED):
        raise ValidationError({"status": _("此变更已%(state)s，不能再审批。") % {"state": change.get_status_display()}})
    if change.kind == K.NORMAL and change.status != S.REQUESTED:
        raise ValidationError({"status": _("此变更不在待审批状态。")})
    needs_pm = change.kind == K.NORMAL and settings_for(change.contract).pm_approval_first
    if approve and needs_pm and not pm_endorsed(change):
        raise ValidationError({"approval": _("本合同的普通变更须先经项目经理同意，再由甲方审批。")})
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("驳回时请填写意见。")})
    signed = sign(by, otp, "change.approval_failed", change, change.contract)
    with transaction.atomic():
        retroactive = change.started_at is not None
        approval = ChangeApproval.objects.create(
            change=change, step=ChangeApproval.Step.BUREAU,
            decision=ChangeApproval.Decision.APPROVE if approve else ChangeApproval.Decision.REJECT,
            comment=comment.strip()[:1000], by=by, second_factor=signed, retroactive=retroactive,
        )
        if change.status == S.REQUESTED:
            change.status = S.APPROVED if approve else S.REJECTED
            change.save(update_fields=["status"])
        audit.record("change.approved" if approve else "change.rejected", actor=by, obj=change,
                     contract=change.contract,
                     after={"step": "bureau", "second_factor": signed, "retroactive": retroactive, "comment": comment})
        notify([change.requested_by, change.implementer],
               subject=_("【变更%(what)s】%(n)s %(t)s") % {
                   "what": _("已批准") if approve else _("被驳回"), "n": change.number, "t": change.title},
               body=comment, contract=change.contract, link=_link(change), kind="change.decided",
               dedup_key=f"change.decided:{approval.pk}")
    return approval


@transaction.atomic
def transition(change: ChangeRequest, to: str, *, by, comment: str = "", review_outcome: str = "",
               review_notes: str = "") -> ChangeRequest:
    """Move a change on; "implementing" needs the approvals of its kind (400 naming the
    missing approval), "closed" the post-implementation review."""
    require(by, change.contract_id, Capability.REQUEST_CHANGES, _("只有乙方工程师或项目经理可以推进变更。"))
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if to not in S.values:
        raise ValidationError({"to": _("未知状态“%(to)s”。可选：%(all)s") % {"to": to, "all": ", ".join(S.values)}})
    if to not in TRANSITIONS[change.status]:
        possible = ", ".join(TRANSITIONS[change.status]) or _("无（已结束）")
        raise ValidationError({"to": _("不能从“%(from)s”变为“%(to)s”。当前可变为：%(possible)s") % {
            "from": change.get_status_display(), "to": S(to).label, "possible": possible}})
    now = clock.now()
    if to == S.IMPLEMENTING:
        missing = missing_approvals(change)
        if missing:
            raise ValidationError({"approval": _("普通变更须经%(missing)s后才能开始实施。") % {"missing": "、".join(missing)}})
        if change.kind == K.EMERGENCY and not bureau_approved(change):
            hours = settings_for(change.contract).retro_approval_hours
            change.retro_due_at = now + dt.timedelta(hours=hours)
            notify(liaisons(change.contract_id),
                   subject=_("【紧急变更待补批】%(n)s %(t)s，请在 %(h)d 小时内补批") % {"n": change.number, "t": change.title, "h": hours},
                   contract=change.contract, link=_link(change), kind="change.retro", dedup_key=f"change.retro:{change.pk}")
        change.started_at = now
    if to in (S.IMPLEMENTED, S.ROLLED_BACK):
        change.finished_at = now
    if to == S.CLOSED:
        _check_closable(change, review_outcome, review_notes)
        change.review_outcome, change.review_notes = review_outcome, review_notes.strip()
        change.reviewed_by, change.reviewed_at = by, now
    previous = change.status
    change.status = to
    change.save()
    audit.record("change.reviewed" if to == S.CLOSED else "change.transitioned", actor=by, obj=change,
                 contract=change.contract, before={"status": previous},
                 after={"status": to, "comment": comment, "review_outcome": review_outcome})
    return change


def _check_closable(change: ChangeRequest, outcome: str, notes: str) -> None:
    errors = {}
    if outcome not in ChangeRequest.Outcome.values:
        errors["review_outcome"] = _("关闭前请填写实施后评审结论：%(all)s") % {"all": ", ".join(ChangeRequest.Outcome.values)}
    if not (notes or "").strip():
        errors["review_notes"] = _("关闭前请填写实施后评审。")
    if change.kind == K.EMERGENCY and not bureau_approved(change):
        errors["approval"] = _("紧急变更须经甲方联络人补批后才能关闭。")
    if change.touches_data:
        # Clause 五.5: work on the platform's data needs the bureau's consent.
        day = (change.started_at or clock.now()).astimezone(clock.SHANGHAI).date()
        if change.data_access is None or not change.data_access.allows(day):
            errors["data_access"] = _("此变更涉及平台数据：关闭前须关联实施当日有效的数据使用批准。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def link_data_access(change: ChangeRequest, data_access: DataAccessRequest | None, *, by) -> ChangeRequest:
    require(by, change.contract_id, Capability.REQUEST_CHANGES)
    if data_access is not None and data_access.contract_id != change.contract_id:
        raise ValidationError({"data_access": _("数据使用申请不属于本合同。")})
    change.data_access = data_access
    change.touches_data = change.touches_data or data_access is not None
    change.save(update_fields=["data_access", "touches_data"])
    return change


@transaction.atomic
def link_ticket(change: ChangeRequest, ticket, *, by) -> None:
    require(by, change.contract_id, Capability.REQUEST_CHANGES)
    if ticket.contract_id != change.contract_id:
        raise ValidationError({"ticket": _("工单不属于本合同。")})
    change.tickets.add(ticket)


@transaction.atomic
def save_template(contract, *, by, name: str, description: str, implementation_plan: str,
                  rollback_plan: str) -> StandardChangeTemplate:
    require(by, contract.pk, Capability.CONFIGURE_CHANGES)
    errors = {f: _("必填。") for f, v in (("name", name), ("description", description),
              ("implementation_plan", implementation_plan), ("rollback_plan", rollback_plan)) if not (v or "").strip()}
    if errors:
        raise ValidationError(errors)
    template = StandardChangeTemplate.objects.create(
        contract=contract, name=name.strip()[:200], description=description, implementation_plan=implementation_plan,
        rollback_plan=rollback_plan,
    )
    audit.record("change.template_saved", actor=by, obj=template, contract=contract, after={"name": template.name})
    return template


def approve_template(template: StandardChangeTemplate, *, by, otp: str = "") -> StandardChangeTemplate:
    """The bureau approves a standard change once, for every change made from it."""
    require(by, template.contract_id, Capability.APPROVE_CHANGES, _("只有甲方联络人可以审批变更。"))
    if template.approved_at is not None:
        return template
    signed = sign(by, otp, "change.approval_failed", template, template.contract)
    with transaction.atomic():
        template.approved_by, template.approved_at = by, clock.now()
        template.save(update_fields=["approved_by", "approved_at"])
        audit.record("change.template_approved", actor=by, obj=template, contract=template.contract,
                     after={"second_factor": signed})
    return template


def remind_overdue_retro_approvals(now: dt.datetime | None = None) -> int:
    """Emergency changes past their retroactive-approval deadline: tell the liaisons and
    the PMs once per change (``notify``'s dedup key makes a rerun harmless)."""
    now = now or clock.now()
    sent = 0
    overdue = ChangeRequest.objects.filter(
        kind=K.EMERGENCY, started_at__isnull=False, retro_due_at__lt=now
    ).exclude(status=S.CANCELLED).exclude(
        approvals__step=ChangeApproval.Step.BUREAU, approvals__decision=ChangeApproval.Decision.APPROVE
    ).select_related("contract")
    for change in overdue:
        sent += len(notify(
            [*liaisons(change.contract_id), *project_managers(change.contract_id)],
            subject=_("【紧急变更补批超时】%(n)s %(t)s") % {"n": change.number, "t": change.title},
            contract=change.contract, link=_link(change), kind="change.retro_overdue",
            dedup_key=f"change.retro_overdue:{change.pk}",
        ))
    return sent
