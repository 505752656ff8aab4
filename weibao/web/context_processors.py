"""What every page's shell needs: the user's contracts, the current one, the navigation."""

from weibao.contracts.models import Contract
from weibao.web.navigation import navigation_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_contracts": [], "current_contract": None}

    return {
        "nav_items": navigation_for(request),
        "user_contracts": Contract.objects.for_user(user).order_by("number"),
        "current_contract": getattr(request, "contract", None),
    }
