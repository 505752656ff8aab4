"""Escalation pages: the runs of a contract, one run's timeline, the policies (PM), and
the one-click acknowledgement page a phone opens from a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.access import can, contract_for, requires
from weibao.contracts.roles import Capability
from weibao.core.declarations import public
from weibao.core.flash import report_errors
from weibao.core.params import page_of, parse_choice, parse_positive_int, parse_text, require_id
from weibao.escalations import access, targets
from weibao.escalations.models import Escalation, EscalationPolicy, EscalationTrigger, Urgency
from weibao.escalations.services import ack_links, engine, policies


def _contract(request, capability: str = Capability.VIEW_ESCALATIONS):
    return contract_for(request.user, getattr(request, "contract", None), capability)


@requires(Capability.VIEW_ESCALATIONS)
@login_required
def run_list(request):
    contract = _contract(request)
    status = parse_choice(request.GET.get("status"), "status", Escalation.Status.values)
    runs = Escalation.objects.filter(contract=contract).select_related("policy", "acknowledged_by")
    if status:
        runs = runs.filter(status=status)
    # Running ones first: they are the ones still paging someone.
    runs = runs.order_by("-status", "-started_at", "-id") if not status else runs
    return render(request, "escalations/list.html", {
        "contract": contract, "page": page_of(request, runs, 50), "status": status or "",
        "statuses": Escalation.Status.choices,
        "can_manage": can(request.user, contract.pk, Capability.MANAGE_ESCALATIONS),
    })


@requires(Capability.VIEW_ESCALATIONS)
@login_required
def run_detail(request, pk: int):
    run = access.escalation_for(request.user, pk)
    return render(request, "escalations/detail.html", {
        "run": run, "entries": run.entries.all(),
        "can_acknowledge": can(request.user, run.contract_id, Capability.ACKNOWLEDGE_ESCALATIONS),
    })


@requires(Capability.ACKNOWLEDGE_ESCALATIONS)
@login_required
@require_POST
def acknowledge(request, pk: int):
    run = access.escalation_for(request.user, pk, Capability.ACKNOWLEDGE_ESCALATIONS)
    engine.acknowledge(run, request.user, via="web")
    messages.success(request, _("已确认，升级通知停止。"))
    return redirect("escalations:detail", pk=run.pk)


@requires(Capability.MANAGE_ESCALATIONS)
@login_required
def policy_list(request):
    contract = _contract(request, Capability.MANAGE_ESCALATIONS)
    if request.method == "POST":
        try:
            policy = policies.save_policy(
                contract, request.user, name=parse_text(request.POST.get("name"), "name", 100),
                repeat=parse_positive_int(request.POST.get("repeat") or "1", "repeat") or 1,
                active=True, description=parse_text(request.POST.get("description"), "description", 20000),
            )
        except ValidationError as error:
            report_errors(request, error)
        else:
            messages.success(request, _("已创建升级策略，请添加步骤和触发条件。"))
            return redirect("escalations:policy", pk=policy.pk)
    items = EscalationPolicy.objects.filter(contract=contract).prefetch_related("steps", "triggers")
    return render(request, "escalations/policies.html", {"contract": contract, "policies": items})


@requires(Capability.MANAGE_ESCALATIONS)
@login_required
def policy_detail(request, pk: int):
    policy = access.policy_for(request.user, pk)
    if request.method == "POST":
        try:
            _apply(request, policy)
        except ValidationError as error:
            report_errors(request, error)
        else:
            if request.POST.get("action") == "delete":
                messages.success(request, _("已删除升级策略。"))
                return redirect("escalations:policies")
            messages.success(request, _("已保存。"))
        return redirect("escalations:policy", pk=policy.pk)
    contract = policy.contract
    steps = [(step, targets.describe(contract, step.target_kind, step.target_ref))
             for step in policy.steps.order_by("position")]
    return render(request, "escalations/policy.html", {
        "policy": policy, "steps": steps, "triggers": policy.triggers.all(),
        "kinds": [(k.code, k.label, k.choices(contract)) for k in targets.kinds()],
        "urgencies": Urgency.choices, "event_types": EscalationTrigger.EventType.choices,
    })


def _apply(request, policy: EscalationPolicy) -> None:
    post, user = request.POST, request.user
    action = post.get("action")
    if action == "save":
        policies.save_policy(
            policy.contract, user, policy=policy, name=parse_text(post.get("name"), "name", 100),
            repeat=parse_positive_int(post.get("repeat") or "1", "repeat") or 1,
            active=post.get("active") == "on", description=parse_text(post.get("description"), "description", 20000),
        )
    elif action == "add_step":
        kind = parse_text(post.get("target_kind"), "target_kind", 32)
        policies.add_step(
            policy, user, target_kind=kind, target_ref=parse_text(post.get(f"target_ref_{kind}"), "target_ref", 64),
            urgency=post.get("urgency", ""),
            wait_minutes=parse_positive_int(post.get("wait_minutes") or "5", "wait_minutes") or 5,
        )
    elif action == "remove_step":
        position = parse_positive_int(post.get("position"), "position", minimum=0)
        if position is None:
            raise ValidationError({"position": _("没有这个步骤。")})
        policies.remove_step(policy, user, position)
    elif action == "add_trigger":
        policies.add_trigger(policy, user, event_type=parse_text(post.get("event_type"), "event_type", 64),
                             only_for=parse_text(post.get("only_for"), "only_for", 64))
    elif action == "remove_trigger":
        policies.remove_trigger(policy, user, require_id(post.get("trigger"), "trigger"))
    elif action == "delete":
        policies.delete_policy(policy, user)
    else:
        raise ValidationError({"action": _("未知操作。")})


@public("one-click acknowledgement: the single-use, expiring token in the link is the credential")
def ack_link(request, token: str):
    """Opened from a message on a phone, without a password. GET only shows what it is
    about (link previews must not acknowledge); the button POSTs."""
    try:
        link = ack_links.find(token)
    except ack_links.LinkRefused as refused:
        return render(request, "escalations/ack_link.html", {"refused": str(refused)}, status=410)
    if request.method == "POST":
        try:
            link = ack_links.redeem(token)
            engine.acknowledge(link.escalation, link.user, via="link")
        except ack_links.LinkRefused as refused:
            return render(request, "escalations/ack_link.html", {"refused": str(refused)}, status=410)
        except PermissionDenied:
            return render(request, "escalations/ack_link.html",
                          {"refused": _("您已不在该合同的团队中，不能确认。")}, status=403)
        return render(request, "escalations/ack_link.html", {"done": True, "run": link.escalation})
    return render(request, "escalations/ack_link.html", {"run": link.escalation, "person": link.user})
