"""The auditor's own copy of a signed checkpoint of the chain (decision 0011)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from weibao.accounts.roles import AdminRole
from weibao.audit import anchors, services
from weibao.contracts.access import administrators


@administrators(AdminRole.AUDITOR)
@transaction.non_atomic_requests  # sealing takes the chain lock: not for the whole request
@login_required
def anchor_download(request):
    """A checkpoint signed now, covering the trail up to and including this download;
    kept by the platform audit administrator and given back to ``weibao audit_verify
    --anchor``, it shows records cut from the end or a re-chained past."""
    if not request.user.is_audit_admin:
        raise PermissionDenied
    services.record("audit.anchor.download", actor=request.user, object_type="audit.anchor")
    try:
        anchor = anchors.current()
    except anchors.BadAnchor:
        # The head row and the newest record disagree: someone moved one of them.
        message = _("审计链的链头与最新记录不一致，无法生成校验点。请系统管理员运行 weibao audit_verify。")
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(anchor.as_json(), content_type="application/json; charset=utf-8")
    stamp = anchor.anchored_at.replace("-", "").replace(":", "").split(".")[0]
    response["Content-Disposition"] = f'attachment; filename="weibao-audit-anchor-{stamp}Z-{anchor.seq}.json"'
    return response
