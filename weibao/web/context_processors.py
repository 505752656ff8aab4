"""What every page's shell needs: the user's contracts, the current one, the navigation."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from weibao.accounts.middleware import LAST_SEEN_RESOLUTION_SECONDS
from weibao.contracts.models import Contract
from weibao.web.navigation import navigation_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_contracts": [], "current_contract": None}

    return {
        # When the idle logout comes, for the warning before it (static/weibao/session.js):
        # "last seen" may lag the last request by its write resolution.
        "idle_seconds": settings.WEIBAO_IDLE_TIMEOUT_MINUTES * 60 - LAST_SEEN_RESOLUTION_SECONDS,
        # Built when the page's shell shows it: a fragment (the list's count, the SLA
        # panel refreshed every 30 s) renders without the shell and pays nothing for it.
        "nav_items": SimpleLazyObject(lambda: navigation_for(request)),
        # Read by the contract middleware with the current one (the same query, once).
        "user_contracts": getattr(request, "user_contracts", None)
        or Contract.objects.for_user(user).order_by("number"),
        "current_contract": getattr(request, "contract", None),
    }
