from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from weibao.contracts.access import requires
from weibao.contracts.middleware import SESSION_KEY
from weibao.contracts.models import Contract, Membership
from weibao.contracts.roles import Capability
from weibao.contracts.services import roles_of
from weibao.core.params import parse_id, parse_next


@requires(Capability.VIEW_CONTRACT)
@login_required
def contract_list(request):
    contracts = Contract.objects.for_user(request.user).order_by("number")
    return render(request, "contracts/list.html", {"contracts": contracts})


@requires(Capability.VIEW_CONTRACT)
@login_required
def contract_detail(request, pk: int):
    contract = get_object_or_404(Contract.objects.for_user(request.user), pk=pk)
    members = (
        Membership.objects.for_contract(contract)
        .filter(active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )
    return render(
        request,
        "contracts/detail.html",
        {"contract": contract, "members": members, "my_roles": roles_of(request.user, contract)},
    )


@requires(Capability.VIEW_CONTRACT)
@login_required
@require_POST
def switch_contract(request):
    contract = get_object_or_404(
        Contract.objects.for_user(request.user), pk=parse_id(request.POST.get("contract")) or 0
    )
    request.session[SESSION_KEY] = contract.pk
    return redirect(parse_next(request.POST.get("next"), request))
