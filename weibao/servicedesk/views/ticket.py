"""The ticket page and what is done from it (lifecycle, replies and files, work log,
arrival, watching, links, 督办, the requester's phone), and the new-ticket form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao import audit
from weibao.contracts.access import contract_for, requires
from weibao.contracts.roles import Capability
from weibao.contracts.services import vendor_team
from weibao.core import clock
from weibao.core.flash import report_errors
from weibao.core.masking import mask_phone
from weibao.core.params import bad_request, parse_id, parse_positive_int
from weibao.servicedesk import access, probes, queries
from weibao.servicedesk.forms import ReplyForm, TicketForm
from weibao.servicedesk.models import (
    PRIORITY_MEANING,
    Priority,
    ServiceComponent,
    Ticket,
    TicketLink,
)
from weibao.servicedesk.panels import ticket_panels
from weibao.servicedesk.services import attachments, sla, tickets, workflow


@requires(Capability.CREATE_TICKETS)
@login_required
def ticket_new(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.CREATE_TICKETS)
    form = TicketForm(request.POST or None, contract=contract, assignees=lambda: access.who_can_work(contract))
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items()}
        try:
            ticket = tickets.create_ticket(contract, by=request.user, **fields)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("已创建工单 %(number)s。") % {"number": ticket.number})
            return redirect("servicedesk:detail", ticket.pk)
    if form.is_bound:
        form.offer_assignees()  # shown again: with the whole list to choose from
    return render(request, "servicedesk/new.html", {"form": form, "contract": contract,
                                                     "meanings": PRIORITY_MEANING.items()})


def _actions(ticket, can_work):
    if not can_work:
        return []
    return [(target, workflow.action_label(ticket.status, target)) for target in workflow.allowed_from(ticket.status)]


@requires(Capability.VIEW_TICKETS)
@login_required
def ticket_detail(request, pk):
    ticket = access.ticket_for(request.user, pk)
    may = access.abilities(request.user, ticket.contract_id)
    now = clock.now()
    clocks = sla.views_of(ticket, now)
    # Most tickets have no attachment, work log or link: one probe, not three queries.
    links_out, links_in = queries.links_of(ticket) if probes.has(ticket, "links") else ([], [])
    context = {
        "ticket": ticket,
        "entries": access.entries_for(request.user, ticket),
        "clocks": clocks,
        "actions": _actions(ticket, may.work),
        "can_work": may.work,
        "can_reply": may.reply,
        "can_note": may.note,
        # Offered for assignment: who does the work (engineers, the PM), not the agent.
        "team": access.who_can_work(ticket.contract),
        "attachments": ticket.attachments.all() if probes.has(ticket, "attachments") else [],
        "worklogs": ticket.worklogs.select_related("user") if probes.has(ticket, "worklogs") else [],
        "links": links_out,
        "links_in": links_in,
        "watching": ticket.watchers.filter(pk=request.user.pk).exists(),
        "can_urge": ticket.is_open and may.urge,
        "ticket_panels": ticket_panels(request.user, ticket),
        "link_kinds": TicketLink.Kind.choices,
        "reply_form": ReplyForm(),
        "masked_phone": mask_phone(ticket.requester_phone),
        "requester_name": tickets.shown_personal(ticket, "requester_name", to=request.user, allowed=may.reveal_phone),
        "can_reveal_phone": may.reveal_phone,
        "priority_meaning": PRIORITY_MEANING.get(ticket.priority, ""),
        # In their order within the contract (the model's order starts with the contract: a join).
        "components": ServiceComponent.objects.filter(contract=ticket.contract, active=True).order_by("code"),
        "priorities": Priority.choices,
        "now": now,
    }
    return render(request, "servicedesk/detail.html", context)


@requires(Capability.VIEW_TICKETS)
@login_required
def ticket_timers(request, pk):
    """The SLA panel alone, refreshed by htmx every 30 s next to the live countdown."""
    ticket = access.ticket_for(request.user, pk)
    now = clock.now()
    clocks = sla.views_of(ticket, now)
    return render(request, "servicedesk/_timers.html", {"ticket": ticket, "clocks": clocks, "now": now})


def _then_back(request, ticket, action, success: str = ""):
    """Run one ticket action from a form: its success message or each refusal, then back
    to the ticket page."""
    try:
        action()
    except ValidationError as error:
        report_errors(request, error)
    else:
        if success:
            messages.success(request, success)
    return redirect("servicedesk:detail", ticket.pk)


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def ticket_transition(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.WORK_TICKETS)
    assignee = None
    if request.POST.get("assignee"):
        assignee_id = parse_id(request.POST["assignee"])
        if assignee_id is None:
            return bad_request(request, _("处理人（assignee）应为用户编号。"))
        assignee = vendor_team(ticket.contract).filter(pk=assignee_id).first()
        if assignee is None:
            messages.error(request, _("处理人必须是本合同乙方团队成员。"))
            return redirect("servicedesk:detail", pk)
    try:
        tickets.transition(
            ticket, request.POST.get("to", ""), by=request.user,
            comment=request.POST.get("comment", "")[:5000], assignee=assignee,
        )
        messages.success(request, _("状态已更新。"))
    except ValidationError as error:
        report_errors(request, error)
    return redirect("servicedesk:detail", pk)


@requires(Capability.REPLY)
@login_required
@require_POST
def ticket_reply(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.REPLY)
    # Public unless an internal note is asked for, as on the API: one who may not write
    # notes asking for one is refused by the service, never published.
    public = request.POST.get("internal") != "on"
    try:
        with transaction.atomic():
            tickets.add_reply(ticket, request.POST.get("body", ""), by=request.user, public=public)
            for upload in request.FILES.getlist("files")[:10]:
                attachments.add_attachment(ticket, upload, by=request.user)
    except ValidationError as error:
        report_errors(request, error)
    return redirect("servicedesk:detail", pk)


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def ticket_update(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.WORK_TICKETS)
    changes = {}
    if request.POST.get("priority") in Priority.values:
        changes["priority"] = request.POST["priority"]
    if "component" in request.POST:
        value = request.POST["component"]
        component_id = parse_id(value)
        if value and component_id is None:
            return bad_request(request, _("服务目录项（component）应为编号。"))
        component = access.components(ticket.contract_id).filter(pk=component_id).first() if component_id else None
        if component_id and component is None:  # another contract's id is as unknown as a made-up one
            return bad_request(request, _("服务目录项（component）不存在。"))
        changes["component"] = component
    return _then_back(
        request, ticket,
        lambda: tickets.update_ticket(ticket, by=request.user, comment=request.POST.get("comment", ""), **changes),
        _("已保存。"),
    )


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def ticket_worklog(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.WORK_TICKETS)
    # Out of range (0, or more than a day) is the service's to refuse, with its message.
    minutes = parse_positive_int(request.POST.get("minutes"), "minutes", minimum=0) or 0
    return _then_back(
        request, ticket,
        lambda: tickets.add_worklog(ticket, by=request.user, minutes=minutes, note=request.POST.get("note", "")[:500]),
        _("已登记工时。"),
    )


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def ticket_arrival(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.WORK_TICKETS)
    return _then_back(request, ticket, lambda: tickets.record_arrival(ticket, by=request.user), _("已记录到场。"))


@requires(Capability.REVEAL_PERSONAL_DATA)
@login_required
@require_POST
def ticket_reveal_phone(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.REVEAL_PERSONAL_DATA)
    reason = request.POST.get("reason", "").strip()
    if not reason:  # a reveal says why (PIPL art. 51): the form asks again, nothing is shown
        return render(request, "servicedesk/_phone.html", {"ticket": ticket, "masked": mask_phone(ticket.requester_phone),
                      "error": _("请填写查看原因（reason）。")}, status=400)
    phone = tickets.reveal_phone(ticket, by=request.user, reason=reason)
    return render(request, "servicedesk/_phone.html", {"phone": phone})


@requires(Capability.VIEW_TICKETS)
@login_required
def attachment_download(request, pk):
    attachment = access.attachment_for(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit.record("ticket.attachment.download", obj=attachment.ticket, actor=request.user,
                 detail={"attachment": attachment.pk, "name": attachment.name})
    return FileResponse(handle, as_attachment=True, filename=attachments.offered_name(attachment),
                        content_type="application/octet-stream")


@requires(Capability.VIEW_TICKETS)
@login_required
@require_POST
def ticket_watch(request, pk):
    ticket = access.ticket_for(request.user, pk)
    watching = tickets.toggle_watch(ticket, request.user)
    messages.success(request, _("已关注此工单，状态变化时会通知您。") if watching else _("已取消关注。"))
    return redirect("servicedesk:detail", pk)


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def ticket_link(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.WORK_TICKETS)
    number = request.POST.get("number", "").strip().upper()
    other = Ticket.objects.filter(contract=ticket.contract, number=number).first()
    if other is None:
        messages.error(request, _("本合同中没有工单 %(number)s。") % {"number": number[:30]})
        return redirect("servicedesk:detail", pk)
    try:
        tickets.link(ticket, other, by=request.user, kind=request.POST.get("kind", "relates"))
        messages.success(request, _("已关联 %(number)s。") % {"number": other.number})
    except ValidationError as error:
        report_errors(request, error)
    return redirect("servicedesk:detail", pk)


@requires(Capability.URGE)
@login_required
@require_POST
def ticket_urge(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.URGE, _("只有甲方人员可以督办。"))
    return _then_back(
        request, ticket,
        lambda: tickets.urge(ticket, by=request.user, comment=request.POST.get("comment", "")),
        _("已督办，处理人和项目经理会收到通知。"),
    )
