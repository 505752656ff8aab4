"""Which audit records a user may read."""

from __future__ import annotations

from django.db.models import Q

from weibao.audit.models import AuditRecord
from weibao.contracts.access import contract_ids_where
from weibao.contracts.roles import Capability


def records_visible_to(user):
    """The platform audit administrator reads platform-level records; a contract's
    auditor reads that contract's records. ``None`` when the user may read none."""
    contract_ids = contract_ids_where(user, Capability.VIEW_AUDIT)
    is_admin = user.is_authenticated and user.is_audit_admin
    if not contract_ids and not is_admin:
        return None
    condition = Q(contract_id__in=contract_ids)
    if is_admin:
        condition |= Q(contract__isnull=True)
    return AuditRecord.objects.sealed().filter(condition).order_by("-seq")


def actions_visible_to(user) -> list[str]:
    """The actions among the records ``user`` may read (the page's choice of events)."""
    records = records_visible_to(user)
    if records is None:
        return []
    return sorted(set(records.values_list("action", flat=True).distinct()[:500]))


# The trail's actions that put a person's clear personal data on someone's screen (PIPL
# art. 51, issue 17): each records who, when, which record, which field and why — never
# the value. The auditor's list of reveals reads exactly these.
REVEAL_ACTIONS = ("ticket.personal_data.read",)


# What happened to personal data as a whole (decision 0026): retention runs and key rotations.
LIFECYCLE_ACTIONS = ("ticket.personal_data.anonymise", "personal_data.key_rotated")


def lifecycle_visible_to(user, limit: int = 10):
    """The latest retention runs and key rotations among the records ``user`` may read,
    newest first (a contract's auditor: that contract's anonymisations; the platform audit
    administrator: key rotations, which belong to no contract). ``None`` as records_visible_to."""
    records = records_visible_to(user)
    return None if records is None else records.filter(action__in=LIFECYCLE_ACTIONS)[:limit]


def reveals_visible_to(user):
    """The reveals among the records ``user`` may read, newest first; ``None`` when the user
    may read no records. A contract's auditor sees that contract's reveals; the platform
    audit administrator reads the platform's records only (decision 0012), so no contract's."""
    records = records_visible_to(user)
    return None if records is None else records.filter(action__in=REVEAL_ACTIONS)
