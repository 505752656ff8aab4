"""Clause 九.1 breach notices and clause 十 force majeure: their deadlines (by the legal-
period rules in calendars), reminders before them, outcomes."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao import audit
from weibao.calendars.services import PeriodRule, legal_period
from weibao.contracts.access import require, roles_on
from weibao.contracts.models import Membership
from weibao.contracts.roles import BUREAU_ROLES, Capability, ContractRole
from weibao.core import clock
from weibao.ledger.models import BreachNotice, ForceMajeureDocument, ForceMajeureEvent, PenaltyRule
from weibao.ledger.terms import terms_for
from weibao.notifications.services import notify

REMEDY_WORKING_DAYS = 5  # clause 九.1: "5个工作日内采取补救措施"
REMIND_DAYS_BEFORE = 2

OUTCOMES = {BreachNotice.Outcome.REMEDIED, BreachNotice.Outcome.ESCALATED, BreachNotice.Outcome.DAMAGES}


def _people(contract_id: int, roles) -> list:
    return [m.user for m in Membership.objects.filter(
        contract_id=contract_id, role__in=list(roles), active=True, user__is_active=True,
        user__admin_role_grant__isnull=True,
    ).select_related("user")]


def both_sides(contract_id: int) -> list:
    """Who hears of a notice: the PM and the bureau's liaison."""
    return _people(contract_id, {ContractRole.PROJECT_MANAGER, ContractRole.BUREAU_LIAISON})


def remedy_deadline(contract_id: int, issued_on: dt.date, working_days: int = REMEDY_WORKING_DAYS):
    """Civil Code art. 201: the day of issue is not counted; the period ends with the 5th
    working day (contract calendar, official holidays and 调休 included)."""
    return legal_period(contract_id, issued_on, working_days, PeriodRule.WORKING_DAYS)


def issue_breach_notice(contract, *, clause: str, description: str, required_action: str = "",
                        issued_on: dt.date | None = None, by) -> BreachNotice:
    """Either party issues a written notice; the side is the issuer's (bureau roles: 甲方)."""
    require(by, contract.pk, Capability.ISSUE_BREACH_NOTICES)
    errors = {}
    if not clause.strip():
        errors["clause"] = _("请填写违反的条款。")
    if not description.strip():
        errors["description"] = _("请填写违约事实。")
    issued_on = issued_on or clock.local_now().date()
    if issued_on > clock.local_now().date():
        errors["issued_on"] = _("发出日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    party = PenaltyRule.Party.A if roles_on(by, contract.pk) & BUREAU_ROLES else PenaltyRule.Party.B
    working_days = terms_for(contract).remedy_working_days
    answer = remedy_deadline(contract.pk, issued_on, working_days)
    with transaction.atomic():
        count = BreachNotice.objects.filter(contract=contract, issued_on__year=issued_on.year).count() + 1
        notice = BreachNotice.objects.create(
            contract=contract, number=f"WY-{issued_on.year}-{count:03d}", issuing_party=party,
            clause=clause.strip()[:40], description=description.strip(), required_action=required_action.strip(),
            issued_on=issued_on, remedy_working_days=working_days, remedy_due_on=answer.value,
            deadline_provisional=bool(answer.uncovered_years), issued_by=by,
        )
        audit.record("ledger.breach_notice_issued", obj=notice, actor=by, contract=contract,
                     after={"clause": notice.clause, "remedy_due_on": notice.remedy_due_on.isoformat()})
        notify(both_sides(contract.pk), subject=_("违约通知 %(number)s：请于 %(due)s 前补救") % {
            "number": notice.number, "due": notice.remedy_due_on.isoformat()},
            body=notice.description, contract=contract, link=reverse("ledger:notice", args=[notice.pk]),
            kind="ledger.breach", dedup_key=f"breach-issued:{notice.pk}")
    return notice


def record_outcome(notice: BreachNotice, *, outcome: str, note: str = "", by) -> BreachNotice:
    require(by, notice.contract_id, Capability.ISSUE_BREACH_NOTICES)
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": _("不是可选的值。")})
    if notice.outcome != BreachNotice.Outcome.PENDING:
        raise ValidationError({"outcome": _("该通知已有处理结果。")})
    notice.outcome, notice.outcome_note, notice.outcome_at = outcome, note[:500], clock.now()
    notice.save(update_fields=["outcome", "outcome_note", "outcome_at"])
    audit.record("ledger.breach_notice_outcome", obj=notice, actor=by, contract=notice.contract_id,
                 after={"outcome": outcome}, detail={"note": note[:500]})
    return notice


def record_force_majeure(contract, *, party: str, description: str, occurred_on: dt.date,
                         notified_at: dt.datetime | None = None, claim: str = "", by) -> ForceMajeureEvent:
    """Clause 十.4: certificate and handover within 15 days of the event (calendar days,
    art. 201: the event's day not counted; art. 203: a last day on a holiday moves on)."""
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    errors = {}
    if party not in PenaltyRule.Party.values:
        errors["party"] = _("不是可选的值。")
    if not description.strip():
        errors["description"] = _("请填写事件情况。")
    if occurred_on > clock.local_now().date():
        errors["occurred_on"] = _("发生日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    days = terms_for(contract).force_majeure_days
    due = legal_period(contract.pk, occurred_on, days, PeriodRule.CALENDAR_DAYS).value
    event = ForceMajeureEvent.objects.create(
        contract=contract, party=party, description=description.strip(), occurred_on=occurred_on,
        notified_at=notified_at or clock.now(), period_days=days, certificate_due_on=due,
        handover_due_on=due, claim=claim[:200], recorded_by=by,
    )
    audit.record("ledger.force_majeure_recorded", obj=event, actor=by, contract=contract,
                 after={"occurred_on": occurred_on.isoformat(), "certificate_due_on": due.isoformat()})
    return event


def update_force_majeure(event: ForceMajeureEvent, *, by, certificate_received_on: dt.date | None = None,
                         handover_done_on: dt.date | None = None) -> ForceMajeureEvent:
    require(by, event.contract_id, Capability.MANAGE_LEDGER)
    changed = []
    if certificate_received_on is not None:
        event.certificate_received_on = certificate_received_on
        changed.append("certificate_received_on")
    if handover_done_on is not None:
        event.handover_done_on = handover_done_on
        changed.append("handover_done_on")
    if changed:
        event.save(update_fields=changed)
        audit.record("ledger.force_majeure_updated", obj=event, actor=by, contract=event.contract_id,
                     after={name: getattr(event, name).isoformat() for name in changed})
    return event


def attach_force_majeure_document(event: ForceMajeureEvent, *, title: str, upload, by) -> ForceMajeureDocument:
    require(by, event.contract_id, Capability.MANAGE_LEDGER)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = ForceMajeureDocument.objects.create(event=event, title=(title or upload.name)[:200], file=upload,
                                                   sha256=digest.hexdigest(), uploaded_by=by)
    audit.record("ledger.force_majeure_document", obj=document, actor=by, contract=event.contract_id,
                 detail={"sha256": document.sha256})
    return document


def send_reminders(today: dt.date | None = None) -> int:
    """The daily task: remind both sides of breach remedies and force-majeure documents
    due within two days (or overdue). Idempotent per item and day."""
    today = today or clock.local_now().date()
    soon = today + dt.timedelta(days=REMIND_DAYS_BEFORE)
    sent = 0
    for notice in BreachNotice.objects.filter(outcome=BreachNotice.Outcome.PENDING, remedy_due_on__lte=soon):
        if notice.reminded_on == today:
            continue
        notify(both_sides(notice.contract_id), subject=_("违约通知 %(number)s 的补救期限 %(due)s") % {
            "number": notice.number, "due": notice.remedy_due_on.isoformat()},
            contract=notice.contract, link=reverse("ledger:notice", args=[notice.pk]),
            kind="ledger.breach_reminder", dedup_key=f"breach-remind:{notice.pk}:{today.isoformat()}")
        BreachNotice.objects.filter(pk=notice.pk).update(reminded_on=today)
        sent += 1
    pending = ForceMajeureEvent.objects.filter(certificate_due_on__lte=soon).exclude(
        certificate_received_on__isnull=False, handover_done_on__isnull=False)
    for event in pending:
        if event.reminded_on == today:
            continue
        notify(both_sides(event.contract_id), subject=_("不可抗力事件：证明文件与交接期限 %(due)s") % {
            "due": event.certificate_due_on.isoformat()},
            contract=event.contract, link=reverse("ledger:overview", args=[event.contract_id]),
            kind="ledger.force_majeure_reminder", dedup_key=f"fm-remind:{event.pk}:{today.isoformat()}")
        ForceMajeureEvent.objects.filter(pk=event.pk).update(reminded_on=today)
        sent += 1
    return sent
