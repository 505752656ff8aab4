"""Refused requests (403) of signed-in users, pages and API alike, recorded in one place."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from weibao.audit.models import AuditRecord
from weibao.audit.services import record
from weibao.core.masking import mask_text

log = logging.getLogger(__name__)


class DeniedRequestAuditMiddleware:
    """Every 403 answered to a signed-in user is recorded once, whichever layer refused it
    (a view's PermissionDenied, DRF's permission check, CSRF, a middleware): probing
    another contract's ids or another role's pages shows in the trail.

    It looks at the answer, after the view's transaction has ended, so the record stays
    when the refused action was rolled back. API users are signed in by DRF inside the
    view; DRF sets them on this request too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                self._record(request, user)
        return response

    @staticmethod
    def _record(request, user) -> None:
        path = mask_text(request.path)[:250]  # no caller's number from a path into the trail
        try:
            record("request.denied", actor=user, outcome=AuditRecord.Outcome.DENIED,
                   object_type="http.request", object_repr=f"{request.method} {path}",
                   detail={"method": request.method[:10], "path": path, "status": 403})
        except DatabaseError as exc:  # the refusal still stands; the database is failing
            log.error("refused request of %s not audited: %s", user.get_username(), exc)
