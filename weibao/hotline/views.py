"""The hotline screen: keyboard-first call logging with caller history and live
knowledge-base suggestions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.contracts.access import requires
from weibao.contracts.roles import Capability
from weibao.core.masking import mask_phone
from weibao.core.params import parse_id
from weibao.hotline import services
from weibao.hotline.access import hotline_contract
from weibao.knowledge.search import search
from weibao.oncall import home as oncall_home
from weibao.servicedesk import access as desk_access
from weibao.servicedesk.services import submissions


def _contract(request):
    return hotline_contract(request.user, getattr(request, "contract", None))


@requires(Capability.LOG_CALLS)
@login_required
def screen(request):
    contract = _contract(request)
    errors = {}
    values = {}
    if request.method == "POST":
        values = request.POST
        component_id = parse_id(request.POST.get("component"))
        component = desk_access.components(contract.pk).filter(pk=component_id).first() if component_id else None
        try:
            call = services.Call(
                phone=request.POST.get("phone", "")[:32], name=request.POST.get("name", "")[:100],
                organisation=request.POST.get("organisation", "")[:200],
                question=request.POST.get("question", "")[:5000], answer=request.POST.get("answer", "")[:5000],
                started_at=services.parse_call_start(request.POST.get("started_at", "")), component=component,
            )
            key = submissions.parse_key(request.POST.get(submissions.FIELD, "")[:100])
            ticket, created = services.log_call_once(
                contract, call, request.POST.get("outcome", ""), agent=request.user, submission_key=key
            )
        except ValidationError as error:
            errors = {field: " ".join(problems) for field, problems in error.message_dict.items()}
        else:
            if not created:
                messages.info(request, _("该来电已记录过（%(number)s），未重复创建。") % {"number": ticket.number})
            elif ticket.first_contact_resolved:
                messages.success(request, _("已记录并关闭 %(number)s（当场解答）。") % {"number": ticket.number})
            else:
                messages.success(request, _("已创建 %(number)s 并转工程师跟进。") % {"number": ticket.number})
                if ticket.group_id is None:
                    messages.warning(request, _(
                        "本合同尚未指定接收热线跟进的支持组，%(number)s 未分组，请联系系统管理员在后台指定。"
                    ) % {"number": ticket.number})
            return redirect("hotline:screen")
    context = {
        "contract": contract,
        # Empty until the first keystroke in the phone or question field (keys.js); after
        # an error, the start the screen posted, so the re-rendered call keeps its start.
        "started_at": "" if "started_at" in errors else values.get("started_at", "")[:64],
        # The form's key: kept after an error (nothing was logged), new for each new call.
        "submission_key": _kept_key(values, errors) or submissions.new_key(),
        # Drafts in this browser made from these forms are done (web/static session.js).
        "sent_keys": services.recent_submission_keys(contract, request.user),
        "day": services.agent_day(contract, request.user),
        "components": desk_access.components(contract.pk),
        "errors": errors,
        "values": values,
        "component_id": parse_id(values.get("component")) if values else None,
        # Whom to call when a caller needs an engineer now (clause 四.2's 7×24 support).
        "on_call": oncall_home.hotline_panel(request, contract),
    }
    return render(request, "hotline/screen.html", context)


def _kept_key(values, errors) -> str:
    if not values or submissions.FIELD in errors:
        return ""
    try:
        key = submissions.parse_key(values.get(submissions.FIELD, "")[:100])
    except ValidationError:
        return ""
    return str(key) if key else ""


@requires(Capability.LOG_CALLS)
@login_required
def caller(request):
    contract = _contract(request)
    history = services.caller_history(contract, request.GET.get("phone", ""), by=request.user)
    return render(request, "hotline/_caller.html", {"history": history, "mask_phone": mask_phone})


@requires(Capability.LOG_CALLS)
@login_required
def suggest(request):
    contract = _contract(request)
    q = request.GET.get("question", "").strip()[:200]
    hits = search(request.user, contract, q, limit=5) if len(q) >= 2 else []
    return render(request, "hotline/_suggest.html", {"hits": hits, "q": q})
