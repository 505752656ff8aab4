"""The ticket list: filters, saved views, the capped count, bulk actions and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.contracts.access import can, contract_ids_where, require_anywhere, requires
from weibao.contracts.roles import Capability
from weibao.core.declarations import public
from weibao.core.params import bad_request, parse_choice, parse_id, parse_page
from weibao.servicedesk import access, exports, queries
from weibao.servicedesk.filtersets import TicketFilterSet
from weibao.servicedesk.models import (
    Channel,
    Priority,
    SavedView,
    SlaClock,
    Status,
    TicketType,
)
from weibao.servicedesk.services import tickets
from weibao.servicedesk.views.list_rows import ROW_FIELDS, ticket_rows

PAGE_SIZES = (25, 50, 100)


def _list_filters(request, *, audit_search: bool = True) -> tuple[object, TicketFilterSet]:
    """The list's filters; without a contract filter, the current contract's tickets."""
    require_anywhere(request.user, Capability.VIEW_TICKETS)
    contract = getattr(request, "contract", None)
    params = request.GET.copy()
    if contract is not None and "contract" not in params:
        params["contract"] = str(contract.pk)
    return contract, TicketFilterSet(params, request=request, audit_search=audit_search)


@requires(Capability.VIEW_TICKETS)
@login_required
def ticket_list(request):
    contract, filters = _list_filters(request)
    rows = filters.qs  # a bad filter is shown beside its field and ignored
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return exports.export(rows, fmt, user=request.user, filters=filters.cleaned, contract=contract)
    page_size = int(parse_choice(request.GET.get("page_size"), "page_size", map(str, PAGE_SIZES)) or 25)
    page = queries.rows_page(
        rows.select_related("assignee").only(*ROW_FIELDS), parse_page(request.GET.get("page")), page_size
    )
    # Names clear where the user may reveal personal data (they call back), masked elsewhere.
    revealing = set(contract_ids_where(request.user, Capability.REVEAL_PERSONAL_DATA))
    for t in page.object_list:
        t.shown_name = tickets.shown_personal(t, "requester_name", to=request.user, allowed=t.contract_id in revealing)
    keep = request.GET.copy()
    keep.pop("page", None)
    can_work = contract is not None and can(request.user, contract.pk, Capability.WORK_TICKETS)
    choices = queries.filter_choices(contract) if contract else queries.FilterChoices([], [], [])
    context = {
        "contract": contract,
        "page": page,
        "rows": ticket_rows(page.object_list, selectable=can_work),
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
        "components": choices.components,
        "groups": choices.groups,
        "team": choices.team,
        "saved_views": SavedView.objects.filter(user=request.user),
        "can_work": can_work,
        "can_create": contract is not None and can(request.user, contract.pk, Capability.CREATE_TICKETS),
        "page_sizes": PAGE_SIZES,
        "page_size": page_size,
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
    require_anywhere(request.user, Capability.WORK_TICKETS)
    if not ids:
        messages.warning(request, _("请先勾选工单。"))
        return redirect(back)
    chosen = access.workable_tickets(request.user).filter(pk__in=ids)
    done, failed = 0, []
    for ticket in chosen:
        try:
            with transaction.atomic():
                if action == "assign":
                    assignee = access.people(ticket.contract_id).filter(pk=assignee_id).first() if assignee_id else None
                    if assignee is None:
                        raise ValidationError({"assignee": _("请选择处理人。")})
                    if ticket.status == Status.NEW:
                        tickets.transition(ticket, Status.ASSIGNED, by=request.user, assignee=assignee)
                    else:
                        tickets.update_ticket(ticket, by=request.user, assignee=assignee)
                elif action == "close":
                    tickets.transition(ticket, Status.CLOSED, by=request.user, comment=_("批量关闭"))
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
