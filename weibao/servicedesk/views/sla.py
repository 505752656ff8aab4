"""The SLA policy pages: a contract's response, arrival and resolution limits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.calendars.models import BusinessCalendar
from weibao.contracts.access import contract_for, requires
from weibao.contracts.roles import Capability
from weibao.core.flash import report_errors
from weibao.core.params import BadParameter, parse_positive_int
from weibao.servicedesk import access
from weibao.servicedesk.models import SlaPolicy
from weibao.servicedesk.services import policies


@requires(Capability.MANAGE_SLA)
@login_required
def policy_list(request):
    contract = contract_for(request.user, getattr(request, "contract", None), Capability.MANAGE_SLA)
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
        policies.update_policy(policy, by=request.user, **values)
        messages.success(request, _("已保存 %(policy)s。新时限用于此后创建的工单。") % {"policy": policy})
    except ValidationError as error:
        report_errors(request, error)
    return redirect("servicedesk:policies")
