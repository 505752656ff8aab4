"""The auditors' view of the trail: filter, page, read one record, export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, render

from weibao.audit import exports, services
from weibao.audit.filtersets import AuditFilterSet, RevealFilterSet
from weibao.audit.models import AuditRecord
from weibao.audit.selectors import (
    actions_visible_to,
    lifecycle_visible_to,
    records_visible_to,
    reveals_visible_to,
)
from weibao.contracts.access import requires
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.core.params import page_of


# A contract's auditor reads its records; the platform audit administrator, who holds no
# contract role (decision 0012), reads the platform's: records_visible_to decides both.
@requires(Capability.VIEW_AUDIT)
@transaction.non_atomic_requests  # sealing takes the chain lock: not for the whole request
@login_required
def audit_list(request):
    visible = records_visible_to(request.user)
    if visible is None:
        raise PermissionDenied
    services.seal_pending()  # what has been committed is shown, in its place in the chain
    filters = AuditFilterSet(request.GET, visible)
    records = filters.qs  # a bad filter is shown beside its field and ignored
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        count = records.count()
        # Reading the trail in bulk is itself a sensitive read: it is recorded.
        services.record(
            "audit.export", actor=request.user, object_type="audit.auditrecord",
            detail={"format": fmt, "rows": min(count, exports.MAX_ROWS), "truncated": count > exports.MAX_ROWS,
                    "filters": {k: str(v) for k, v in filters.cleaned.items()}},
        )
        return exports.export(records, fmt)
    page = page_of(request, records, 50)
    keep = request.GET.copy()
    keep.pop("page", None)
    context = {
        "page": page,
        "errors": filters.error_messages,
        "cleaned": filters.cleaned,
        "keep": keep.urlencode(),
        "actions": actions_visible_to(request.user),
        "outcomes": AuditRecord.Outcome.choices,
        "contracts": Contract.objects.for_user(request.user),
    }
    return render(request, "audit/list.html", context)


@requires(Capability.VIEW_AUDIT)
@transaction.non_atomic_requests  # sealing takes the chain lock: not for the whole request
@login_required
def audit_detail(request, seq: int):
    records = records_visible_to(request.user)
    if records is None:
        raise PermissionDenied
    services.seal_pending()  # what has been committed is shown, in its place in the chain
    record = get_object_or_404(records, seq=seq)
    services.record("audit.read", actor=request.user, object_type="audit.auditrecord",
                    object_id=str(record.seq), object_repr=f"#{record.seq} {record.action}")
    keys = sorted(set(record.before or {}) | set(record.after or {}))
    diff = [(key, (record.before or {}).get(key), (record.after or {}).get(key)) for key in keys]
    return render(request, "audit/detail.html", {"record": record, "diff": diff})


# Every reveal of a person's clear data (who, when, which record, which field, why), for
# the contract's auditor; read from the trail itself, so nothing can reveal around it.
@requires(Capability.VIEW_AUDIT)
@transaction.non_atomic_requests  # sealing takes the chain lock: not for the whole request
@login_required
def reveal_list(request):
    visible = reveals_visible_to(request.user)
    if visible is None:
        raise PermissionDenied
    services.seal_pending()
    filters = RevealFilterSet(request.GET, visible)
    records = filters.qs  # a bad filter is shown beside its field and ignored
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        count = records.count()
        services.record(
            "audit.export", actor=request.user, object_type="audit.auditrecord",
            detail={"format": fmt, "list": "reveals", "rows": min(count, exports.MAX_ROWS),
                    "truncated": count > exports.MAX_ROWS,
                    "filters": {k: str(v) for k, v in filters.cleaned.items()}},
        )
        return exports.export_reveals(records, fmt)
    page = page_of(request, records, 50)
    keep = request.GET.copy()
    keep.pop("page", None)
    rows = [(r, exports.field_label((r.detail or {}).get("field", "")), (r.detail or {}).get("reason", ""))
            for r in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "errors": filters.error_messages,
        "cleaned": filters.cleaned,
        "keep": keep.urlencode(),
        "contracts": Contract.objects.for_user(request.user),
        # Retention runs and key rotations: that they happened and how many, never values.
        "lifecycle": [(r, r.detail or {}) for r in lifecycle_visible_to(request.user) or []],
    }
    return render(request, "audit/reveals.html", context)
