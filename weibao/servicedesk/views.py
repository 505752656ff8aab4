"""Service-desk pages: the ticket list (filters, views, bulk actions, exports), the
ticket page (conversation, live SLA timers, lifecycle actions) and the new-ticket form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao import audit
from weibao.calendars.models import BusinessCalendar
from weibao.contracts.access import can, requires
from weibao.contracts.roles import Capability
from weibao.contracts.services import vendor_team
from weibao.core import clock
from weibao.core.declarations import public
from weibao.core.flash import report_errors
from weibao.core.masking import mask_phone
from weibao.core.params import (
    BadParameter,
    bad_request,
    parse_choice,
    parse_id,
    parse_page,
    parse_positive_int,
)
from weibao.servicedesk import access, exports, queries
from weibao.servicedesk.filtersets import TicketFilterSet
from weibao.servicedesk.forms import ReplyForm, TicketForm
from weibao.servicedesk.models import (
    PRIORITY_MEANING,
    Channel,
    Priority,
    SavedView,
    ServiceComponent,
    SlaClock,
    SlaPolicy,
    Status,
    SupportGroup,
    Ticket,
    TicketLink,
    TicketType,
)
from weibao.servicedesk.panels import ticket_panels
from weibao.servicedesk.services import policies as policy_services
from weibao.servicedesk.services import attachments, sla, workflow
from weibao.servicedesk.services import tickets as ticket_services

User = get_user_model()
PAGE_SIZES = (25, 50, 100)


def _list_filters(request, *, audit_search: bool = True) -> tuple[object, TicketFilterSet]:
    """The list's filters; without a contract filter, the current contract's tickets."""
    access.require_anywhere(request.user, Capability.VIEW_TICKETS)
    contract = getattr(request, "contract", None)
    params = request.GET.copy()
    if contract is not None and "contract" not in params:
        params["contract"] = str(contract.pk)
    return contract, TicketFilterSet(params, request=request, audit_search=audit_search)


@requires(Capability.VIEW_TICKETS)
@login_required
def ticket_list(request):
    contract, filters = _list_filters(request)
    tickets = filters.qs  # a bad filter is shown beside its field and ignored
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return exports.export(tickets, fmt, user=request.user, filters=filters.cleaned, contract=contract)
    page_size = int(parse_choice(request.GET.get("page_size"), "page_size", map(str, PAGE_SIZES)) or 25)
    page = queries.rows_page(
        tickets.select_related("assignee", "component", "group"), parse_page(request.GET.get("page")), page_size
    )
    keep = request.GET.copy()
    keep.pop("page", None)
    can_work = contract is not None and can(request.user, contract.pk, Capability.WORK_TICKETS)
    context = {
        "contract": contract,
        "page": page,
        "errors": filters.error_messages,
        # Filters whose field shows no error of its own (ids from a hand-edited address).
        "other_errors": [(name, message) for name, message in filters.error_messages.items()
                         if name not in ("status", "created_from", "created_to")],
        "cleaned": filters.cleaned,
        "keep": keep.urlencode(),
        # The page-size form keeps the other filters. Not read as request.GET.lists in the
        # template: a query parameter named "lists" would shadow the method (a 500).
        "size_keep": [(k, v) for k, values in request.GET.lists() if k not in ("page", "page_size") for v in values],
        "statuses": Status.choices,
        "types": TicketType.choices,
        "priorities": Priority.choices,
        "channels": Channel.choices,
        "sla_states": SlaClock.State.choices,
        "sorts": [("-created", _("最新创建")), ("created", _("最早创建")), ("due", _("最近到期")),
                  ("-priority", _("优先级高→低")), ("-updated", _("最近更新")),
                  ("-urged", _("督办优先"))],
        "components": ServiceComponent.objects.filter(contract=contract) if contract else [],
        "groups": SupportGroup.objects.filter(contract=contract) if contract else [],
        "team": vendor_team(contract) if contract else [],
        "saved_views": SavedView.objects.filter(user=request.user),
        "can_work": can_work,
        "can_create": contract is not None and can(request.user, contract.pk, Capability.CREATE_TICKETS),
        "page_sizes": PAGE_SIZES,
        "page_size": page_size,
        "now": clock.now(),
        "mask_phone": mask_phone,
    }
    return render(request, "servicedesk/list.html", context)


@requires(Capability.VIEW_TICKETS)
@login_required
def ticket_count(request):
    """The list's match count, fetched after the rows (htmx): capped at 10,000."""
    _contract, filters = _list_filters(request, audit_search=False)  # the list's own request audited the search
    count = queries.capped_count(filters.qs)
    return render(request, "servicedesk/_count.html", {"count": count, "capped": count > queries.COUNT_CAP})


@public("own account: the signed-in user's saved list views")
@login_required
@require_POST
def save_view(request):
    name = request.POST.get("name", "").strip()[:60]
    query = request.POST.get("query", "")[:1000]
    if not name:
        messages.error(request, _("请为视图命名。"))
    else:
        SavedView.objects.update_or_create(user=request.user, name=name, defaults={"query": query})
        messages.success(request, _("已保存视图“%(name)s”。") % {"name": name})
    return redirect(f"/tickets/?{query}")


@public("own account: the signed-in user's saved list views")
@login_required
@require_POST
def delete_view(request, pk):
    SavedView.objects.filter(user=request.user, pk=pk).delete()
    return redirect("servicedesk:list")


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def bulk(request):
    ids = [pk for pk in map(parse_id, request.POST.getlist("ticket")) if pk is not None]
    action = request.POST.get("action")
    assignee_id = parse_id(request.POST.get("assignee"))
    if action == "assign" and request.POST.get("assignee") and assignee_id is None:
        return bad_request(request, _("处理人（assignee）应为用户编号。"))
    back = request.POST.get("next") or "/tickets/"
    if not back.startswith("/tickets/"):
        back = "/tickets/"
    access.require_anywhere(request.user, Capability.WORK_TICKETS)
    if not ids:
        messages.warning(request, _("请先勾选工单。"))
        return redirect(back)
    tickets = access.workable_tickets(request.user).filter(pk__in=ids)
    done, failed = 0, []
    for ticket in tickets:
        try:
            with transaction.atomic():
                if action == "assign":
                    assignee = access.people(ticket.contract_id).filter(pk=assignee_id).first() if assignee_id else None
                    if assignee is None:
                        raise ValidationError({"assignee": _("请选择处理人。")})
                    if ticket.status == Status.NEW:
                        ticket_services.transition(ticket, Status.ASSIGNED, by=request.user, assignee=assignee)
                    else:
                        ticket_services.update_ticket(ticket, by=request.user, assignee=assignee)
                elif action == "close":
                    ticket_services.transition(ticket, Status.CLOSED, by=request.user, comment=_("批量关闭"))
                else:
                    raise ValidationError({"action": _("未知操作。")})
            done += 1
        except ValidationError as error:
            failed.append(f"{ticket.number}: {'; '.join(error.messages)}")
    if done:
        messages.success(request, _("已处理 %(n)d 张工单。") % {"n": done})
    for line in failed[:10]:
        messages.error(request, line)
    return redirect(back)


@requires(Capability.CREATE_TICKETS)
@login_required
def ticket_new(request):
    contract = access.contract_for(request, Capability.CREATE_TICKETS)
    form = TicketForm(request.POST or None, contract=contract, assignees=vendor_team(contract))
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items()}
        try:
            ticket = ticket_services.create_ticket(contract, by=request.user, **fields)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("已创建工单 %(number)s。") % {"number": ticket.number})
            return redirect("servicedesk:detail", ticket.pk)
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
    clocks = [sla.view(c, now) for c in ticket.clocks.select_related("calendar")]
    context = {
        "ticket": ticket,
        "entries": access.entries_for(request.user, ticket),
        "clocks": clocks,
        "actions": _actions(ticket, may.work),
        "can_work": may.work,
        "can_reply": may.reply,
        "can_note": may.note,
        "team": vendor_team(ticket.contract),
        "attachments": ticket.attachments.all(),
        "worklogs": ticket.worklogs.select_related("user"),
        "links": ticket.links_out.select_related("to_ticket"),
        "links_in": ticket.links_in.select_related("from_ticket"),
        "watching": ticket.watchers.filter(pk=request.user.pk).exists(),
        "can_urge": ticket.is_open and may.urge,
        "ticket_panels": ticket_panels(request.user, ticket),
        "link_kinds": TicketLink.Kind.choices,
        "reply_form": ReplyForm(),
        "masked_phone": mask_phone(ticket.requester_phone),
        "can_reveal_phone": may.reveal_phone,
        "priority_meaning": PRIORITY_MEANING.get(ticket.priority, ""),
        "components": ServiceComponent.objects.filter(contract=ticket.contract, active=True),
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
    clocks = [sla.view(c, now) for c in ticket.clocks.select_related("calendar")]
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
        ticket_services.transition(
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
            ticket_services.add_reply(ticket, request.POST.get("body", ""), by=request.user, public=public)
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
        lambda: ticket_services.update_ticket(ticket, by=request.user, comment=request.POST.get("comment", ""), **changes),
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
        lambda: ticket_services.add_worklog(ticket, by=request.user, minutes=minutes, note=request.POST.get("note", "")[:500]),
        _("已登记工时。"),
    )


@requires(Capability.WORK_TICKETS)
@login_required
@require_POST
def ticket_arrival(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.WORK_TICKETS)
    return _then_back(request, ticket, lambda: ticket_services.record_arrival(ticket, by=request.user), _("已记录到场。"))


@requires(Capability.REVEAL_PERSONAL_DATA)
@login_required
@require_POST
def ticket_reveal_phone(request, pk):
    ticket = access.ticket_for(request.user, pk, Capability.REVEAL_PERSONAL_DATA)
    phone = ticket_services.reveal_phone(ticket, by=request.user)
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


def list_url(**params) -> str:
    return "/tickets/?" + urlencode(params)


@requires(Capability.MANAGE_SLA)
@login_required
def policies(request):
    contract = access.contract_for(request, Capability.MANAGE_SLA)
    context = {
        "contract": contract,
        "policies": SlaPolicy.objects.filter(contract=contract).select_related(
            "response_calendar", "arrival_calendar", "resolution_calendar"
        ),
        "calendars": BusinessCalendar.objects.filter(contract=contract),
    }
    return render(request, "servicedesk/policies.html", context)


def _minutes(text: str):
    try:
        return parse_positive_int(text, "minutes", minimum=0)
    except BadParameter:
        return -1  # refused by the policy service, which names the field and its range


@requires(Capability.MANAGE_SLA)
@login_required
@require_POST
def policy_update(request, pk):
    policy = access.policy_for(request.user, pk)
    calendars = {str(c.pk): c for c in BusinessCalendar.objects.filter(contract=policy.contract)}
    values = {
        "response_minutes": _minutes(request.POST.get("response_minutes")),
        "arrival_minutes": _minutes(request.POST.get("arrival_minutes")),
        "resolution_minutes": _minutes(request.POST.get("resolution_minutes")),
        "response_calendar": calendars.get(request.POST.get("response_calendar", "")),
        "arrival_calendar": calendars.get(request.POST.get("arrival_calendar", "")),
        "resolution_calendar": calendars.get(request.POST.get("resolution_calendar", "")),
        "warn_percent": _minutes(request.POST.get("warn_percent")),
    }
    try:
        policy_services.update_policy(policy, by=request.user, **values)
        messages.success(request, _("已保存 %(policy)s。新时限用于此后创建的工单。") % {"policy": policy})
    except ValidationError as error:
        report_errors(request, error)
    return redirect("servicedesk:policies")


@requires(Capability.VIEW_TICKETS)
@login_required
@require_POST
def ticket_watch(request, pk):
    ticket = access.ticket_for(request.user, pk)
    watching = ticket_services.toggle_watch(ticket, request.user)
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
        ticket_services.link(ticket, other, by=request.user, kind=request.POST.get("kind", "relates"))
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
        lambda: ticket_services.urge(ticket, by=request.user, comment=request.POST.get("comment", "")),
        _("已督办，处理人和项目经理会收到通知。"),
    )
