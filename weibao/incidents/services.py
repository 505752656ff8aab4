"""What the business does with an incident: open it, acknowledge, resolve, reopen, change
its level, note, link tickets, report it, review it. Each action refuses by itself
(``require``); ``by=None`` is Weibao acting on its own (an alert, a monitor, a task).

Paging is not done here: the escalation policies (app ``escalations``) subscribe to
``incident.opened`` / ``incident.level_changed`` / ``incident.acknowledged`` /
``incident.resolved``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock, events
from weibao.incidents.models import (
    LEVEL_RANK,
    Category,
    ChecklistItem,
    EmergencyPlan,
    FollowUp,
    Incident,
    Level,
    LevelDefinition,
    ReportingDuty,
    Review,
    TimelineEntry,
)
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import tickets

S = Incident.Status

# Editable per contract (LevelDefinition); these are what a new contract starts with.
# Regulator: 《国家网络安全事件报告管理办法》 art. 4, an ordinary operator reporting to the
# provincial cyberspace office within 4 hours (a CII operator edits it to 60 minutes).
DEFAULT_LEVELS = {
    Level.I: (_("特别重大：平台全面瘫痪或大规模数据泄露，造成特别严重社会影响。"), 30, 240),
    Level.II: (_("重大：核心业务（门户、统一身份认证、审批）中断超过 2 小时，或重要数据泄露。"), 60, 240),
    Level.III: (_("较大：核心业务中断超过 30 分钟，或多个街道/部门无法办件。"), 120, 240),
    Level.IV: (_("一般：单一功能异常，有替代办法，影响有限。"), 240, None),
}
DEFAULT_REGULATOR = "属地省级网信部门"


def install_level_defaults(contract) -> None:
    for level, (definition, bureau, regulator) in DEFAULT_LEVELS.items():
        LevelDefinition.objects.get_or_create(
            contract=contract, level=level,
            defaults={
                "definition": str(definition), "bureau_minutes": bureau, "regulator_minutes": regulator,
                "regulator_name": DEFAULT_REGULATOR if regulator else "",
            },
        )


def level_definition(contract, level: str) -> LevelDefinition:
    found = LevelDefinition.objects.filter(contract=contract, level=level).first()
    if found is None:
        install_level_defaults(contract)
        found = LevelDefinition.objects.get(contract=contract, level=level)
    return found


def more_severe(a: str, b: str) -> bool:
    return LEVEL_RANK[a] < LEVEL_RANK[b]


def note_on_timeline(incident, kind: str, body: str, *, by=None, at=None, event_id=None) -> TimelineEntry | None:
    if event_id is not None and TimelineEntry.objects.filter(incident=incident, event_id=event_id, kind=kind).exists():
        return None
    return TimelineEntry.objects.create(
        incident=incident, kind=kind, body=body, author=by, at=at or clock.now(), event_id=event_id
    )


def _event_payload(incident) -> dict:
    return {"level": incident.level, "title": incident.title, "component": incident.component_id}


def open_incident(
    contract, *, title: str, level: str = Level.IV, category: str = Category.EQUIPMENT, component=None,
    source: str = Incident.Source.MANUAL, by=None, integration=None, group_key: str = "",
    description: str = "", page: bool = True, at=None,
) -> Incident:
    """Record a new incident, set its reporting duties, attach the plan that matches, and
    publish ``incident.opened`` — unless ``page`` is False (only silenced alerts)."""
    require(by, contract.pk, Capability.WORK_INCIDENTS)
    if level not in Level.values:
        raise ValidationError({"level": _("无效的事件级别。")})
    if category not in Category.values:
        raise ValidationError({"category": _("无效的事件类别。")})
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError({"title": _("请填写事件标题。")})
    now = at or clock.now()
    incident = Incident.objects.create(
        contract=contract, title=title, level=level, category=category, component=component, source=source,
        integration=integration, group_key=group_key[:400], opened_at=now, paged=page, description=description,
    )
    note_on_timeline(incident, TimelineEntry.Kind.STATE, _("事件登记（%(level)s）") % {"level": incident.get_level_display()}, by=by, at=now)
    set_duties(incident)
    attach_matching_plan(incident)
    if by is not None:
        audit.record("incident.open", obj=incident, actor=by, after={"level": level, "title": title})
    if page:
        events.publish("incident.opened", contract=contract, payload=_event_payload(incident), obj=incident)
    return incident


def page_now(incident) -> None:
    """An incident opened by silenced alerts only is joined by one that is not."""
    if incident.paged:
        return
    incident.paged = True
    incident.save(update_fields=["paged"])
    note_on_timeline(incident, TimelineEntry.Kind.NOTIFICATION, _("出现未静默的告警，开始通知值班人员。"))
    events.publish("incident.opened", contract=incident.contract, payload=_event_payload(incident), obj=incident)


def set_duties(incident) -> None:
    """The reporting deadlines of the incident's level, counted from when it was opened.
    A level raised later moves a deadline earlier, never later; one reported stays."""
    definition = level_definition(incident.contract, incident.level)
    wanted = {ReportingDuty.Recipient.BUREAU: (definition.bureau_minutes, "")}
    if definition.regulator_minutes:
        wanted[ReportingDuty.Recipient.REGULATOR] = (definition.regulator_minutes, definition.regulator_name)
    for recipient, (minutes, to) in wanted.items():
        due = incident.opened_at + dt.timedelta(minutes=minutes)
        duty, created = ReportingDuty.objects.get_or_create(
            incident=incident, recipient=recipient, defaults={"due_at": due, "reported_to": to}
        )
        if not created and duty.reported_at is None and due < duty.due_at:
            duty.due_at = due
            duty.save(update_fields=["due_at"])


@transaction.atomic
def acknowledge(incident, *, by, event_id=None) -> Incident:
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != S.OPEN:
        if event_id is not None:
            return incident  # a page answered after someone acknowledged on the page: nothing to do
        raise ValidationError({"status": _("只有待确认的事件可以确认。")})
    now = clock.now()
    incident.status, incident.acknowledged_at, incident.acknowledged_by = S.ACKNOWLEDGED, now, by
    incident.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    who = by.get_full_name() or by.username if by is not None else _("系统")
    note_on_timeline(incident, TimelineEntry.Kind.ACKNOWLEDGEMENT, _("%(who)s 确认了事件") % {"who": who}, by=by, event_id=event_id)
    audit.record("incident.acknowledge", obj=incident, actor=by)
    events.publish(
        "incident.acknowledged", contract=incident.contract, obj=incident,
        payload=_event_payload(incident) | {"user": getattr(by, "pk", None)},
    )
    return incident


@transaction.atomic
def resolve(incident, *, by, note: str = "") -> Incident:
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == S.RESOLVED:
        if by is None:
            return incident
        raise ValidationError({"status": _("事件已经恢复。")})
    now = clock.now()
    incident.status, incident.resolved_at, incident.resolved_by = S.RESOLVED, now, by
    incident.save(update_fields=["status", "resolved_at", "resolved_by"])
    body = _("事件已恢复") if by is not None else _("告警来源报告全部恢复，事件自动恢复")
    note_on_timeline(incident, TimelineEntry.Kind.STATE, body + (f"：{note}" if note else ""), by=by)
    if by is not None:
        audit.record("incident.resolve", obj=incident, actor=by, detail={"note": note[:500]})
    events.publish("incident.resolved", contract=incident.contract, obj=incident, payload=_event_payload(incident))
    return incident


@transaction.atomic
def reopen(incident, *, by, reason: str) -> Incident:
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重新打开的原因。")})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != S.RESOLVED:
        raise ValidationError({"status": _("只有已恢复的事件可以重新打开。")})
    incident.status = S.ACKNOWLEDGED if incident.acknowledged_at else S.OPEN
    incident.resolved_at = incident.resolved_by = None
    incident.save(update_fields=["status", "resolved_at", "resolved_by"])
    note_on_timeline(incident, TimelineEntry.Kind.STATE, _("重新打开：%(reason)s") % {"reason": reason[:500]}, by=by)
    audit.record("incident.reopen", obj=incident, actor=by, detail={"reason": reason[:500]})
    return incident


@transaction.atomic
def change_level(incident, level: str, *, by, reason: str = "") -> Incident:
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    if level not in Level.values:
        raise ValidationError({"level": _("无效的事件级别。")})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if level == incident.level:
        return incident
    before = incident.level
    incident.level = level
    incident.save(update_fields=["level"])
    note_on_timeline(
        incident, TimelineEntry.Kind.LEVEL,
        _("级别 %(before)s → %(after)s") % {"before": Level(before).label, "after": incident.get_level_display()}
        + (f"：{reason}" if reason else ""), by=by,
    )
    set_duties(incident)
    attach_matching_plan(incident)
    if by is not None:
        audit.record("incident.level", obj=incident, actor=by, before={"level": before}, after={"level": level})
    events.publish(
        "incident.level_changed", contract=incident.contract, obj=incident,
        payload=_event_payload(incident) | {"previous": before},
    )
    return incident


def set_category(incident, category: str, *, by) -> Incident:
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    if category not in Category.values:
        raise ValidationError({"category": _("无效的事件类别。")})
    if category != incident.category:
        incident.category = category
        incident.save(update_fields=["category"])
        note_on_timeline(incident, TimelineEntry.Kind.NOTE, _("类别改为 %(c)s") % {"c": incident.get_category_display()}, by=by)
        attach_matching_plan(incident)
    return incident


def add_note(incident, body: str, *, by) -> TimelineEntry:
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写备注内容。")})
    return note_on_timeline(incident, TimelineEntry.Kind.NOTE, body[:5000], by=by)


def link_ticket(incident, ticket: Ticket, *, by) -> None:
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    if ticket.contract_id != incident.contract_id:
        raise ValidationError({"ticket": _("工单不存在。")})
    if not incident.tickets.filter(pk=ticket.pk).exists():
        incident.tickets.add(ticket)
        note_on_timeline(incident, TimelineEntry.Kind.TICKET, _("关联工单 %(n)s") % {"n": ticket.number}, by=by)


# --- reporting duties ------------------------------------------------------------------

def report_form(incident, recipient: str) -> str:
    """The report's text, prefilled from the incident (the form's starting point)."""
    local = clock.SHANGHAI
    lines = [
        _("事件名称：%(t)s") % {"t": incident.title},
        _("事件级别：%(l)s") % {"l": incident.get_level_display()},
        _("事件类别：%(c)s（GB/T 20986-2023）") % {"c": incident.get_category_display()},
        _("发生时间：%(t)s") % {"t": incident.opened_at.astimezone(local).strftime("%Y-%m-%d %H:%M")},
        _("影响系统：%(s)s") % {"s": incident.component.name if incident.component else "—"},
        _("当前状态：%(s)s") % {"s": incident.get_status_display()},
        _("告警数量：%(n)d") % {"n": incident.alerts.count()},
        _("已采取措施："),
    ]
    lines += [f"  - {item.text}（{item.done_at.astimezone(local):%H:%M}）" for item in incident.checklist.exclude(done_at=None)]
    if recipient == ReportingDuty.Recipient.REGULATOR:
        lines.append(_("拟采取措施及请求支援事项："))
    return "\n".join(lines)


@transaction.atomic
def record_report(duty: ReportingDuty, *, by, reported_to: str, channel: str, content: str, reported_at=None) -> ReportingDuty:
    """When and to whom the incident was reported (audited)."""
    require(by, duty.incident.contract_id, Capability.WORK_INCIDENTS)
    errors = {}
    if not (reported_to or "").strip():
        errors["reported_to"] = _("请填写报告对象（单位与联系人）。")
    if not (channel or "").strip():
        errors["channel"] = _("请填写报告方式（电话、传真、网信部门报告系统……）。")
    when = reported_at or clock.now()
    if when > clock.now() + dt.timedelta(minutes=1):
        errors["reported_at"] = _("报告时间不能晚于现在。")
    if errors:
        raise ValidationError(errors)
    duty.reported_at, duty.reported_by = when, by
    duty.reported_to, duty.channel, duty.content = reported_to.strip()[:200], channel.strip()[:100], content[:10000]
    duty.save()
    late = when > duty.due_at
    note_on_timeline(
        duty.incident, TimelineEntry.Kind.REPORT,
        _("已向 %(to)s 报告（%(channel)s）%(late)s") % {
            "to": duty.reported_to, "channel": duty.channel, "late": _("，已超过时限") if late else "",
        }, by=by, at=when,
    )
    audit.record(
        "incident.report", obj=duty.incident, actor=by,
        after={"recipient": duty.recipient, "to": duty.reported_to, "channel": duty.channel,
               "reported_at": when.isoformat(), "due_at": duty.due_at.isoformat(), "late": late},
    )
    return duty


# --- plans attached to incidents --------------------------------------------------------

def matching_plan(incident) -> EmergencyPlan | None:
    """The active plan for the incident: its level at or below the incident's severity,
    its component and category (when set) the incident's; the most specific wins."""
    best, best_score = None, -1
    for plan in EmergencyPlan.objects.filter(contract_id=incident.contract_id, active=True).order_by("pk"):
        if LEVEL_RANK[incident.level] > LEVEL_RANK[plan.level]:
            continue
        if plan.component_id and plan.component_id != incident.component_id:
            continue
        if plan.category and plan.category != incident.category:
            continue
        score = (2 if plan.component_id else 0) + (1 if plan.category else 0)
        if score > best_score:
            best, best_score = plan, score
    return best


def attach_plan(incident, plan: EmergencyPlan, *, by=None) -> bool:
    """Copy the plan's steps onto the incident as its checklist (once)."""
    require(by, incident.contract_id, Capability.WORK_INCIDENTS)
    if plan.contract_id != incident.contract_id:
        raise ValidationError({"plan": _("预案不存在。")})
    if incident.checklist.filter(plan=plan).exists():
        return False
    ChecklistItem.objects.bulk_create(
        ChecklistItem(incident=incident, plan=plan, order=step.order, text=step.text, owner=step.owner)
        for step in plan.steps.all()
    )
    note_on_timeline(incident, TimelineEntry.Kind.PLAN, _("启动应急预案：%(p)s") % {"p": plan.title}, by=by)
    return True


def attach_matching_plan(incident) -> None:
    if incident.checklist.exists():
        return
    plan = matching_plan(incident)
    if plan is not None:
        attach_plan(incident, plan)


def tick(item: ChecklistItem, *, by, done: bool = True) -> ChecklistItem:
    contract_id = item.incident.contract_id if item.incident_id else item.drill.contract_id
    require(by, contract_id, Capability.WORK_INCIDENTS)
    item.done_at, item.done_by = (clock.now(), by) if done else (None, None)
    item.save(update_fields=["done_at", "done_by"])
    if item.incident_id:
        note_on_timeline(
            item.incident, TimelineEntry.Kind.PLAN,
            (_("完成步骤：%(s)s") if done else _("撤销步骤：%(s)s")) % {"s": item.text}, by=by,
        )
    return item


# --- review (复盘) ------------------------------------------------------------------------

REVIEW_FIELDS = ("cause", "impact", "timeline_summary", "went_well", "went_badly")


@transaction.atomic
def save_review(incident, *, by, follow_ups: list[str] = (), **fields) -> Review:
    """Write the review; each new follow-up action becomes a service-desk ticket."""
    require(by, incident.contract_id, Capability.MANAGE_INCIDENTS)
    if incident.status != S.RESOLVED:
        raise ValidationError({"status": _("事件恢复后才能复盘。")})
    # A review states the cause; follow-up tickets are not opened from one that does not.
    if not (fields.get("cause") or "").strip():
        raise ValidationError({"cause": _("请填写事件原因。")})
    review, _created = Review.objects.get_or_create(incident=incident)
    for name in REVIEW_FIELDS:
        if name in fields:
            setattr(review, name, (fields[name] or "")[:10000])
    review.written_by, review.updated_at = by, clock.now()
    review.save()
    for title in follow_ups:
        title = (title or "").strip()[:200]
        if not title:
            continue
        ticket = tickets.create_ticket(
            incident.contract, by=by, type="optimisation", priority="p3", channel="monitoring",
            subject=title[:200], description=_("事件 %(n)s「%(t)s」复盘的改进措施。") % {"n": incident.number, "t": incident.title},
            requester_name=by.get_full_name() or by.username if by is not None else "Weibao",
            component=incident.component,
        )
        FollowUp.objects.create(review=review, title=title, ticket=ticket)
        incident.tickets.add(ticket)
    audit.record("incident.review.save", obj=incident, actor=by, detail={"follow_ups": len([f for f in follow_ups if f.strip()])})
    return review


# --- figures ------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFigures:
    year: int
    month: int
    incidents: int
    acknowledged: int
    resolved: int
    mtta_minutes: float | None
    mttr_minutes: float | None


def month_figures(contract, year: int, month: int) -> MonthFigures:
    """MTTA and MTTR of the incidents opened in that month (Beijing time): means of
    opened→acknowledged and opened→resolved, over those that got there."""
    start = dt.datetime(year, month, 1, tzinfo=clock.SHANGHAI)
    end = start + dt.timedelta(days=calendar.monthrange(year, month)[1])
    rows = list(
        Incident.objects.filter(contract=contract, opened_at__gte=start, opened_at__lt=end)
        .values_list("opened_at", "acknowledged_at", "resolved_at")
    )
    acks = [(a - o).total_seconds() / 60 for o, a, _r in rows if a]
    fixes = [(r - o).total_seconds() / 60 for o, _a, r in rows if r]
    return MonthFigures(
        year, month, len(rows), len(acks), len(fixes),
        round(sum(acks) / len(acks), 1) if acks else None,
        round(sum(fixes) / len(fixes), 1) if fixes else None,
    )
