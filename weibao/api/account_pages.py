"""The API tokens section of the user's 账号安全 page, and revoking a token from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.api import tokens
from weibao.api.models import ApiToken
from weibao.core.declarations import public


def token_section(request) -> dict:
    return {
        "template": "api/_token_section.html",
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at")[:50],
    }


@public("own account: revokes only the signed-in user's own tokens")
@login_required
@require_POST
def revoke_token(request, pk: int):
    token = get_object_or_404(ApiToken, user=request.user, pk=pk)
    if tokens.revoke(token, by=request.user):
        messages.success(request, _("令牌已撤销。"))
    return redirect("accounts:security")
