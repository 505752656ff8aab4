"""Emergency plans (应急预案) and drills (演练): write a plan, rehearse it against the same
checklist an incident gets, record who took part, how long it took and what was found."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.incidents.models import (
    Category,
    ChecklistItem,
    Drill,
    EmergencyPlan,
    FollowUp,
    Level,
    PlanRole,
    PlanStep,
)
from weibao.servicedesk.services import tickets

PLACEHOLDERS = ("title", "level", "category", "component", "opened_at", "status")


def parse_steps(text: str) -> list[tuple[str, str]]:
    """One step a line, ``步骤 | 负责``."""
    steps = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        step, _sep, owner = line.partition("|")
        if len(step.strip()) > 300:
            raise ValidationError({"steps": _("每个步骤不超过 300 个字符。")})
        steps.append((step.strip(), owner.strip()[:100]))
    return steps


@transaction.atomic
def save_plan(contract, *, by, plan: EmergencyPlan | None = None, title: str, scenario: str, level: str = Level.IV,
              category: str = "", component=None, triggers: str = "", bureau_template: str = "",
              public_template: str = "", steps: list[tuple[str, str]] = (), roles: list[tuple[str, object, object]] = (),
              active: bool = True) -> EmergencyPlan:
    require(by, contract.pk, Capability.MANAGE_INCIDENTS)
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写预案名称。")
    if scenario not in EmergencyPlan.Scenario.values:
        errors["scenario"] = _("无效的场景。")
    if level not in Level.values:
        errors["level"] = _("无效的事件级别。")
    if category and category not in Category.values:
        errors["category"] = _("无效的事件类别。")
    if component is not None and component.contract_id != contract.pk:
        errors["component"] = _("服务目录项不存在。")
    if not steps:
        errors["steps"] = _("请至少填写一个处置步骤。")
    if errors:
        raise ValidationError(errors)
    plan = plan or EmergencyPlan(contract=contract)
    if plan.contract_id != contract.pk:
        raise ValidationError({"plan": _("预案不存在。")})
    plan.title, plan.scenario, plan.level, plan.category = title.strip()[:200], scenario, level, category
    plan.component, plan.triggers, plan.active = component, triggers[:5000], active
    plan.bureau_template, plan.public_template = bureau_template[:5000], public_template[:5000]
    plan.updated_at = clock.now()
    plan.save()
    # Checklists already attached keep their copy: a plan edited mid-incident does not move them.
    plan.steps.all().delete()
    PlanStep.objects.bulk_create(PlanStep(plan=plan, order=i, text=t, owner=o) for i, (t, o) in enumerate(steps, 1))
    if roles:
        plan.roles.all().delete()
        PlanRole.objects.bulk_create(
            PlanRole(plan=plan, order=i, title=t[:100], person=p, deputy=d) for i, (t, p, d) in enumerate(roles, 1)
        )
    audit.record("incident.plan.save", obj=plan, actor=by, after={"title": plan.title, "steps": len(steps)})
    return plan


def fill_template(template: str, incident) -> str:
    """A communication template with ``{title}``, ``{level}``, ``{category}``,
    ``{component}``, ``{opened_at}``, ``{status}`` filled from the incident."""
    values = {
        "title": incident.title, "level": incident.get_level_display(), "category": incident.get_category_display(),
        "component": incident.component.name if incident.component else "—",
        "opened_at": incident.opened_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "status": incident.get_status_display(),
    }
    text = template or ""
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def schedule_drill(plan: EmergencyPlan, *, by, scheduled_at) -> Drill:
    require(by, plan.contract_id, Capability.MANAGE_INCIDENTS)
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": _("请填写演练时间。")})
    drill = Drill.objects.create(contract_id=plan.contract_id, plan=plan, scheduled_at=scheduled_at)
    audit.record("incident.drill.save", obj=drill, actor=by, after={"plan": plan.title, "scheduled_at": scheduled_at.isoformat()})
    return drill


@transaction.atomic
def start_drill(drill: Drill, *, by) -> Drill:
    """Start the drill: the plan's steps become its checklist, timed from now."""
    require(by, drill.contract_id, Capability.WORK_INCIDENTS)
    if drill.status != Drill.Status.SCHEDULED:
        raise ValidationError({"status": _("只有已计划的演练可以开始。")})
    drill.status, drill.started_at = Drill.Status.RUNNING, clock.now()
    drill.save(update_fields=["status", "started_at"])
    ChecklistItem.objects.bulk_create(
        ChecklistItem(drill=drill, plan=drill.plan, order=s.order, text=s.text, owner=s.owner) for s in drill.plan.steps.all()
    )
    return drill


@transaction.atomic
def finish_drill(drill: Drill, *, by, participants, findings: str, follow_ups: list[str] = ()) -> Drill:
    """Record the drill: who took part, what was found; each follow-up becomes a ticket."""
    require(by, drill.contract_id, Capability.MANAGE_INCIDENTS)
    if drill.status != Drill.Status.RUNNING:
        raise ValidationError({"status": _("只有进行中的演练可以结束。")})
    members = list(participants)
    if not members:
        raise ValidationError({"participants": _("请选择参演人员。")})
    drill.status, drill.ended_at, drill.findings = Drill.Status.DONE, clock.now(), findings[:10000]
    drill.save(update_fields=["status", "ended_at", "findings"])
    drill.participants.set(members)
    for title in follow_ups:
        title = (title or "").strip()[:200]
        if not title:
            continue
        ticket = tickets.create_ticket(
            drill.plan.contract, by=by, type="optimisation", priority="p3", channel="monitoring", subject=title,
            description=_("应急演练「%(p)s」发现的问题的改进措施。") % {"p": drill.plan.title},
            requester_name=by.get_full_name() or by.username if by is not None else "Weibao",
        )
        FollowUp.objects.create(drill=drill, title=title, ticket=ticket)
    audit.record(
        "incident.drill.save", obj=drill, actor=by,
        after={"status": "done", "participants": [u.pk for u in members], "follow_ups": len(follow_ups)},
    )
    return drill


def cancel_drill(drill: Drill, *, by) -> Drill:
    require(by, drill.contract_id, Capability.MANAGE_INCIDENTS)
    if drill.status != Drill.Status.SCHEDULED:
        raise ValidationError({"status": _("只有已计划的演练可以取消。")})
    drill.status = Drill.Status.CANCELLED
    drill.save(update_fields=["status"])
    audit.record("incident.drill.save", obj=drill, actor=by, after={"status": "cancelled"})
    return drill


def drill_timings(drill: Drill) -> list[tuple[ChecklistItem, int | None]]:
    """Each step and the minutes from the drill's start to its tick."""
    result = []
    for item in drill.checklist.all():
        minutes = None
        if item.done_at and drill.started_at:
            minutes = int((item.done_at - drill.started_at).total_seconds() // 60)
        result.append((item, minutes))
    return result
