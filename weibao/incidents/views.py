"""Pages: the incident list and page (timeline, actions, reporting, review), integration
management, level definitions, emergency plans and drills. Thin: parse, call a service,
render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.access import can, contract_for, contract_ids_where, requires
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.flash import report_errors
from weibao.core.params import (
    BadParameter,
    page_of,
    parse_datetime,
    parse_id,
    parse_positive_int,
    parse_text,
    require_id,
)
from weibao.incidents import access, inspections, integrations, plans, services
from weibao.incidents.filtersets import IncidentFilterSet
from weibao.incidents.models import (
    Category,
    Delivery,
    Drill,
    EmergencyPlan,
    Incident,
    Inspection,
    InspectionItem,
    InspectionTemplate,
    Integration,
    Level,
    LevelDefinition,
    Silence,
)
from weibao.servicedesk.access import people
from weibao.servicedesk.models import ServiceComponent, Ticket
from weibao.visits.models import Visit

PER_PAGE = 25


def _contract(request, capability: str = Capability.VIEW_INCIDENTS):
    return contract_for(request.user, getattr(request, "contract", None), capability)


def _component(contract, raw, field: str = "component"):
    pk = parse_id(raw)
    if raw and pk is None:
        raise BadParameter(field, _("应为服务目录项编号。"))
    return ServiceComponent.objects.filter(contract=contract, pk=pk).first() if pk else None


def _months_back(today: dt.date, count: int) -> list[tuple[int, int]]:
    year, month, result = today.year, today.month, []
    for _i in range(count):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


@requires(Capability.VIEW_INCIDENTS)
@login_required
def incident_list(request):
    contract = _contract(request)
    rows = Incident.objects.filter(contract=contract).annotate(alerts_count=Count("alerts")).select_related("component")
    filterset = IncidentFilterSet(request.GET, queryset=rows)
    page = page_of(request, filterset.qs.order_by("-opened_at", "-pk") if filterset.is_valid() else rows.none(), PER_PAGE)
    figures = [services.month_figures(contract, y, m) for y, m in _months_back(clock.today(), 3)]
    return render(request, "incidents/list.html", {
        "contract": contract, "page": page, "filters": filterset, "errors": filterset.error_messages,
        "statuses": Incident.Status.choices, "levels": Level.choices,
        "chosen_status": request.GET.getlist("status"), "chosen_level": request.GET.getlist("level"),
        "figures": figures, "can_work": can(request.user, contract.pk, Capability.WORK_INCIDENTS),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_INCIDENTS),
    })


@requires(Capability.WORK_INCIDENTS)
@login_required
def incident_new(request):
    contract = _contract(request, Capability.WORK_INCIDENTS)
    errors = {}
    if request.method == "POST":
        try:
            incident = services.open_incident(
                contract, by=request.user, title=parse_text(request.POST.get("title"), "title", 200), level=request.POST.get("level", ""),
                category=request.POST.get("category", ""), component=_component(contract, request.POST.get("component")),
                description=parse_text(request.POST.get("description"), "description", 5000),
            )
        except ValidationError as error:
            errors = {f: " ".join(p) for f, p in error.message_dict.items()}
        else:
            messages.success(request, _("事件已登记。"))
            return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/new.html", {
        "contract": contract, "errors": errors, "values": request.POST, "levels": Level.choices,
        "categories": Category.choices, "components": ServiceComponent.objects.filter(contract=contract, active=True),
    })


@requires(Capability.VIEW_INCIDENTS)
@login_required
def incident_detail(request, pk):
    incident = access.incident_for(request.user, pk)
    contract_id = incident.contract_id
    can_work = can(request.user, contract_id, Capability.WORK_INCIDENTS)
    checklist = list(incident.checklist.select_related("done_by", "plan"))
    plan = checklist[0].plan if checklist else None
    review = getattr(incident, "review", None)
    return render(request, "incidents/detail.html", {
        "incident": incident, "timeline": incident.timeline.select_related("author"),
        "alerts": incident.alerts.order_by("-starts_at")[:50], "alerts_count": incident.alerts.count(),
        "duties": incident.duties.all(), "now": clock.now(), "checklist": checklist, "plan": plan,
        "bureau_message": plans.fill_template(plan.bureau_template, incident) if plan else "",
        "public_message": plans.fill_template(plan.public_template, incident) if plan else "",
        "tickets": incident.tickets.all(), "review": review,
        "follow_ups": review.follow_ups.select_related("ticket") if review else [],
        "can_work": can_work, "can_manage": can(request.user, contract_id, Capability.MANAGE_INCIDENTS),
        "levels": Level.choices, "categories": Category.choices,
        "plans": EmergencyPlan.objects.filter(contract_id=contract_id, active=True) if can_work and not checklist else [],
    })


def _act(request, pk, action):
    incident = access.incident_for(request.user, pk, Capability.WORK_INCIDENTS)
    try:
        message = action(incident)
    except ValidationError as error:
        report_errors(request, error)
    else:
        if message:
            messages.success(request, message)
    return redirect("incidents:detail", incident.pk)


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def acknowledge(request, pk):
    return _act(request, pk, lambda i: services.acknowledge(i, by=request.user) and _("已确认事件。"))


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def resolve(request, pk):
    return _act(request, pk, lambda i: services.resolve(i, by=request.user, note=parse_text(request.POST.get("note"), "note", 2000)) and _("事件已恢复。"))


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def reopen(request, pk):
    return _act(request, pk, lambda i: services.reopen(i, by=request.user, reason=parse_text(request.POST.get("reason"), "reason", 500)) and _("事件已重新打开。"))


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def classify(request, pk):
    def change(incident):
        level, category = request.POST.get("level", ""), request.POST.get("category", "")
        if level not in Level.values:
            raise ValidationError({"level": _("无效的事件级别。")})
        if category not in Category.values:
            raise ValidationError({"category": _("无效的事件类别。")})
        incident = services.change_level(incident, level, by=request.user, reason=parse_text(request.POST.get("reason"), "reason", 500))
        services.set_category(incident, category, by=request.user)
        return _("已保存级别与类别。")

    return _act(request, pk, change)


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def note(request, pk):
    return _act(request, pk, lambda i: services.add_note(i, parse_text(request.POST.get("body"), "body", 5000), by=request.user) and _("已添加备注。"))


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def link_ticket(request, pk):
    def link(incident):
        number = parse_text(request.POST.get("ticket"), "ticket", 40).strip().upper()[:20]
        ticket = Ticket.objects.filter(contract_id=incident.contract_id, number=number).first() if number else None
        if ticket is None:
            raise ValidationError({"ticket": _("本合同没有这个工单号。")})
        services.link_ticket(incident, ticket, by=request.user)
        return _("已关联工单。")

    return _act(request, pk, link)


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def attach_plan(request, pk):
    def attach(incident):
        plan_id = parse_id(request.POST.get("plan"))
        plan = EmergencyPlan.objects.filter(contract_id=incident.contract_id, pk=plan_id).first() if plan_id else None
        if plan is None:
            raise ValidationError({"plan": _("请选择本合同的应急预案。")})
        services.attach_plan(incident, plan, by=request.user)
        return _("已启动应急预案。")

    return _act(request, pk, attach)


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def tick(request, pk):
    item = access.checklist_item_for(request.user, pk)
    services.tick(item, by=request.user, done=request.POST.get("done", "1") != "0")
    if item.incident_id:
        return redirect("incidents:detail", item.incident_id)
    return redirect("incidents:drill", item.drill_id)


@requires(Capability.WORK_INCIDENTS)
@login_required
def report(request, pk, duty_pk):
    """The report form, prefilled from the incident; posting it records when and to whom."""
    incident = access.incident_for(request.user, pk, Capability.WORK_INCIDENTS)
    duty = access.duty_for(request.user, incident, duty_pk)
    errors = {}
    if request.method == "POST":
        try:
            reported_at = parse_datetime(request.POST.get("reported_at"), "reported_at")
            services.record_report(
                duty, by=request.user, reported_to=parse_text(request.POST.get("reported_to"), "reported_to", 200),
                channel=parse_text(request.POST.get("channel"), "channel", 100), content=parse_text(request.POST.get("content"), "content", 20000), reported_at=reported_at,
            )
        except BadParameter as error:
            errors = {error.field: error.message}
        except ValidationError as error:
            errors = {f: " ".join(p) for f, p in error.message_dict.items()}
        else:
            messages.success(request, _("已记录报告。"))
            return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/report.html", {
        "incident": incident, "duty": duty, "errors": errors,
        "content": request.POST.get("content") or duty.content or services.report_form(incident, duty.recipient),
        "reported_to": request.POST.get("reported_to") or duty.reported_to,
        "channel": request.POST.get("channel") or duty.channel,
        "reported_at": request.POST.get("reported_at") or clock.local_now().strftime("%Y-%m-%dT%H:%M"),
    }, status=400 if errors else 200)


@requires(Capability.MANAGE_INCIDENTS)
@login_required
def review(request, pk):
    incident = access.incident_for(request.user, pk, Capability.MANAGE_INCIDENTS)
    current = getattr(incident, "review", None)
    errors = {}
    if request.method == "POST":
        try:
            services.save_review(
                incident, by=request.user, follow_ups=parse_text(request.POST.get("follow_ups"), "follow_ups", 5000).splitlines()[:20],
                **{name: request.POST.get(name, "") for name in services.REVIEW_FIELDS},
            )
        except ValidationError as error:
            report_errors(request, error)
            return redirect("incidents:detail", incident.pk)
        messages.success(request, _("复盘已保存，改进措施已生成工单。"))
        return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/review.html", {
        "incident": incident, "review": current, "errors": errors,
        "timeline_text": "\n".join(
            f"{e.at.astimezone(clock.SHANGHAI):%m-%d %H:%M} {e.body}" for e in incident.timeline.all()[:200]
        ),
    })


# --- integrations, silences, levels (the project manager) --------------------------------

@requires(Capability.MANAGE_INCIDENTS)
@login_required
def integration_list(request):
    contract = _contract(request, Capability.MANAGE_INCIDENTS)
    errors = {}
    if request.method == "POST":
        try:
            integration = integrations.create_integration(
                contract, by=request.user, kind=request.POST.get("kind", ""), name=parse_text(request.POST.get("name"), "name", 100),
                group_by=integrations.parse_labels(parse_text(request.POST.get("group_by"), "group_by", 500)),
                default_level=request.POST.get("default_level", Level.IV),
                category=request.POST.get("category", Category.EQUIPMENT),
                component=_component(contract, request.POST.get("component")),
            )
        except ValidationError as error:
            errors = {f: " ".join(p) for f, p in error.message_dict.items()}
        else:
            messages.success(request, _("已新建告警接入：%(name)s") % {"name": integration.name})
            return redirect("incidents:integrations")
    now = clock.now()
    return render(request, "incidents/integrations.html", {
        "contract": contract, "errors": errors, "values": request.POST,
        "integrations": [(i, integrations.intake_address(i, request.build_absolute_uri)) for i in Integration.objects.filter(contract=contract)],
        "kinds": Integration.Kind.choices, "levels": Level.choices, "categories": Category.choices,
        "components": ServiceComponent.objects.filter(contract=contract, active=True),
        "rejected": Delivery.objects.filter(contract=contract).exclude(state=Delivery.State.PROCESSED)
        .select_related("integration").order_by("-received_at")[:20],
        "silences": Silence.objects.filter(contract=contract, ends_at__gt=now),
        "now_local": clock.local_now().strftime("%Y-%m-%dT%H:%M"),
        "later_local": (clock.local_now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    })


@requires(Capability.MANAGE_INCIDENTS)
@login_required
@require_POST
def integration_rotate(request, pk):
    integration = access.integration_for(request.user, pk)
    integrations.rotate(integration, by=request.user)
    messages.success(request, _("已更换密钥：请把新地址配置到告警源，旧地址已失效。"))
    return redirect("incidents:integrations")


@requires(Capability.MANAGE_INCIDENTS)
@login_required
@require_POST
def silence_new(request):
    contract = _contract(request, Capability.MANAGE_INCIDENTS)
    try:
        integrations.create_silence(
            contract, by=request.user, matchers=integrations.parse_matchers(parse_text(request.POST.get("matchers"), "matchers", 5000)),
            starts_at=parse_datetime(request.POST.get("starts_at"), "starts_at"),
            ends_at=parse_datetime(request.POST.get("ends_at"), "ends_at"), comment=parse_text(request.POST.get("comment"), "comment", 300),
        )
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, _("已新建静默：匹配的告警照常记录，但不通知。"))
    return redirect("incidents:integrations")


@requires(Capability.MANAGE_INCIDENTS)
@login_required
@require_POST
def silence_end(request, pk):
    contract = _contract(request, Capability.MANAGE_INCIDENTS)
    silence = Silence.objects.filter(contract=contract, pk=pk).first()
    if silence is None:
        raise Http404
    integrations.end_silence(silence, by=request.user)
    messages.success(request, _("静默已结束。"))
    return redirect("incidents:integrations")


@requires(Capability.MANAGE_INCIDENTS)
@login_required
def levels(request):
    contract = _contract(request, Capability.MANAGE_INCIDENTS)
    services.install_level_defaults(contract)
    definitions = list(LevelDefinition.objects.filter(contract=contract))
    errors = {}
    if request.method == "POST":
        try:
            for definition in definitions:
                key = definition.level
                integrations.save_level(
                    definition, by=request.user, definition_text=parse_text(request.POST.get(f"definition_{key}"), f"definition_{key}", 20000),
                    bureau_minutes=parse_positive_int(request.POST.get(f"bureau_minutes_{key}"), f"bureau_minutes_{key}", maximum=10080),
                    regulator_minutes=parse_positive_int(request.POST.get(f"regulator_minutes_{key}"), f"regulator_minutes_{key}", maximum=10080),
                    regulator_name=parse_text(request.POST.get(f"regulator_name_{key}"), f"regulator_name_{key}", 100),
                )
        except BadParameter as error:
            errors = {error.field: error.message}
        except ValidationError as error:
            errors = {f: " ".join(p) for f, p in error.message_dict.items()}
        else:
            messages.success(request, _("已保存事件级别定义。"))
            return redirect("incidents:levels")
    return render(request, "incidents/levels.html", {"contract": contract, "definitions": definitions, "errors": errors},
                  status=400 if errors else 200)


# --- plans and drills -----------------------------------------------------------------

@requires(Capability.VIEW_INCIDENTS)
@login_required
def plan_list(request):
    contract = _contract(request)
    return render(request, "incidents/plans.html", {
        "contract": contract,
        "plans": EmergencyPlan.objects.filter(contract=contract).select_related("component").annotate(steps_count=Count("steps")).order_by("title", "pk"),
        "drills": page_of(request, Drill.objects.filter(contract=contract).select_related("plan"), PER_PAGE),
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_INCIDENTS),
    })


@requires(Capability.VIEW_INCIDENTS)
@login_required
def plan_detail(request, pk):
    plan = access.plan_for(request.user, pk)
    return render(request, "incidents/plan.html", {
        "plan": plan, "steps": plan.steps.all(), "roles": plan.roles.select_related("person", "deputy"),
        "drills": plan.drills.all()[:20], "can_manage": can(request.user, plan.contract_id, Capability.MANAGE_INCIDENTS),
        "now_local": clock.local_now().strftime("%Y-%m-%dT%H:%M"),
    })


@requires(Capability.MANAGE_INCIDENTS)
@login_required
def plan_edit(request, pk=None):
    contract = _contract(request, Capability.MANAGE_INCIDENTS)
    plan = access.plan_for(request.user, pk, Capability.MANAGE_INCIDENTS) if pk else None
    if plan is not None and plan.contract_id != contract.pk:
        contract = plan.contract
    errors = {}
    members = people(contract.pk)
    if request.method == "POST":
        try:
            roles = []
            for index in range(1, 6):
                title = parse_text(request.POST.get(f"role_{index}"), f"role_{index}", 100)
                if title:
                    person_id, deputy_id = parse_id(request.POST.get(f"person_{index}")), parse_id(request.POST.get(f"deputy_{index}"))
                    roles.append((
                        title, members.filter(pk=person_id).first() if person_id else None,
                        members.filter(pk=deputy_id).first() if deputy_id else None,
                    ))
            plan = plans.save_plan(
                contract, by=request.user, plan=plan, title=parse_text(request.POST.get("title"), "title", 200),
                scenario=request.POST.get("scenario", ""), level=request.POST.get("level", ""),
                category=request.POST.get("category", ""), component=_component(contract, request.POST.get("component")),
                triggers=parse_text(request.POST.get("triggers"), "triggers", 20000), bureau_template=parse_text(request.POST.get("bureau_template"), "bureau_template", 20000),
                public_template=parse_text(request.POST.get("public_template"), "public_template", 20000),
                steps=plans.parse_steps(parse_text(request.POST.get("steps"), "steps", 20000)), roles=roles,
                active=request.POST.get("active") == "on",
            )
        except ValidationError as error:
            errors = {f: " ".join(p) for f, p in error.message_dict.items()}
        else:
            messages.success(request, _("应急预案已保存。"))
            return redirect("incidents:plan", plan.pk)
    values = request.POST if request.method == "POST" else None
    roles = list(plan.roles.all()) if plan else []
    return render(request, "incidents/plan_edit.html", {
        "contract": contract, "plan": plan, "errors": errors, "values": values,
        "steps_text": values.get("steps", "") if values else "\n".join(
            f"{s.text} | {s.owner}" if s.owner else s.text for s in (plan.steps.all() if plan else [])
        ),
        "role_rows": [(i, roles[i - 1] if i <= len(roles) else None) for i in range(1, 6)],
        "members": members, "scenarios": EmergencyPlan.Scenario.choices, "levels": Level.choices,
        "categories": Category.choices, "components": ServiceComponent.objects.filter(contract=contract, active=True),
    })


@requires(Capability.MANAGE_INCIDENTS)
@login_required
@require_POST
def drill_new(request, pk):
    plan = access.plan_for(request.user, pk, Capability.MANAGE_INCIDENTS)
    try:
        drill = plans.schedule_drill(plan, by=request.user, scheduled_at=parse_datetime(request.POST.get("scheduled_at"), "scheduled_at"))
    except ValidationError as error:
        report_errors(request, error)
        return redirect("incidents:plan", plan.pk)
    messages.success(request, _("已安排演练。"))
    return redirect("incidents:drill", drill.pk)


@requires(Capability.VIEW_INCIDENTS)
@login_required
def drill_detail(request, pk):
    drill = access.drill_for(request.user, pk)
    return render(request, "incidents/drill.html", {
        "drill": drill, "timings": plans.drill_timings(drill), "participants": drill.participants.all(),
        "follow_ups": drill.follow_ups.select_related("ticket"), "members": people(drill.contract_id),
        "can_work": can(request.user, drill.contract_id, Capability.WORK_INCIDENTS),
        "can_manage": can(request.user, drill.contract_id, Capability.MANAGE_INCIDENTS),
    })


def _drill_act(request, pk, capability, action, message):
    drill = access.drill_for(request.user, pk, capability)
    try:
        action(drill)
    except ValidationError as error:
        report_errors(request, error)
    else:
        messages.success(request, message)
    return redirect("incidents:drill", drill.pk)


@requires(Capability.WORK_INCIDENTS)
@login_required
@require_POST
def drill_start(request, pk):
    return _drill_act(request, pk, Capability.WORK_INCIDENTS, lambda d: plans.start_drill(d, by=request.user), _("演练开始计时。"))


@requires(Capability.MANAGE_INCIDENTS)
@login_required
@require_POST
def drill_finish(request, pk):
    def finish(drill):
        ids = [i for i in (parse_id(v) for v in request.POST.getlist("participants")) if i]
        plans.finish_drill(
            drill, by=request.user, participants=people(drill.contract_id).filter(pk__in=ids),
            findings=parse_text(request.POST.get("findings"), "findings", 10000), follow_ups=parse_text(request.POST.get("follow_ups"), "follow_ups", 5000).splitlines()[:20],
        )

    return _drill_act(request, pk, Capability.MANAGE_INCIDENTS, finish, _("演练已记录。"))


@requires(Capability.MANAGE_INCIDENTS)
@login_required
@require_POST
def drill_cancel(request, pk):
    return _drill_act(request, pk, Capability.MANAGE_INCIDENTS, lambda d: plans.cancel_drill(d, by=request.user), _("演练已取消。"))



# --- proactive inspection (巡检) on the visits app's planned rounds -----------------------

@requires(Capability.VIEW_TICKETS)
@login_required
def inspection_list(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.VIEW_TICKETS)
    inspections.install_defaults(contract)
    can_plan = can(request.user, contract.pk, Capability.PLAN_VISITS)
    rounds = (
        Visit.objects.filter(contract=contract, kind=Visit.Kind.PLANNED)
        .exclude(status=Visit.Status.CANCELLED).select_related("engineer").order_by("-planned_start")[:30]
        if can_plan else []
    )
    return render(request, "incidents/inspections.html", {
        "contract": contract, "templates": InspectionTemplate.objects.filter(contract=contract, active=True),
        "page": page_of(request, Inspection.objects.filter(contract=contract).select_related("visit", "visit__engineer", "template")
                        .annotate(failed=Count("results", filter=Q(results__result="fail"))).order_by("-created_at", "-pk"), PER_PAGE),
        "rounds": rounds, "can_plan": can_plan,
    })


@requires(Capability.PLAN_VISITS)
@login_required
@require_POST
def inspection_attach(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.PLAN_VISITS)
    visit_id, template_id = require_id(request.POST.get("visit"), "visit"), require_id(request.POST.get("template"), "template")
    visit = Visit.objects.filter(contract=contract, pk=visit_id).first() if visit_id else None
    template = InspectionTemplate.objects.filter(contract=contract, pk=template_id).first() if template_id else None
    if visit is None or template is None:
        messages.error(request, _("请选择本合同的计划巡检和巡检清单。"))
        return redirect("incidents:inspections")
    try:
        inspection = inspections.attach(visit, template, by=request.user)
    except ValidationError as error:
        report_errors(request, error)
        return redirect("incidents:inspections")
    return redirect("incidents:inspection", inspection.pk)


@requires(Capability.VIEW_TICKETS)
@login_required
def inspection_detail(request, pk):
    inspection = get_object_or_404(
        Inspection.objects.restrict(request.user, Capability.VIEW_TICKETS).select_related("visit", "visit__engineer", "template"), pk=pk
    )
    return render(request, "incidents/inspection.html", {
        "inspection": inspection, "items": inspection.results.select_related("ticket", "checked_by"),
        "can_check": can(request.user, inspection.contract_id, Capability.SIGN_VISITS),
    })


@requires(Capability.SIGN_VISITS)
@login_required
@require_POST
def inspection_record(request, pk):
    item = get_object_or_404(
        InspectionItem.objects.filter(inspection__contract_id__in=contract_ids_where(request.user, Capability.VIEW_TICKETS))
        .select_related("inspection", "inspection__visit", "inspection__template"), pk=pk,
    )
    try:
        inspections.record(item, by=request.user, result=parse_text(request.POST.get("result"), "result", 20), note=parse_text(request.POST.get("note"), "note", 1000))
    except ValidationError as error:
        report_errors(request, error)
    else:
        if item.ticket_id and item.result == "fail":
            messages.warning(request, _("已记录不通过，并生成工单 %(n)s。") % {"n": item.ticket.number})
    return redirect("incidents:inspection", item.inspection_id)
