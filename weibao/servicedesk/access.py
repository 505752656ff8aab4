"""What a ticket may name: its own contract's support groups, catalogue entries and people.

Every id a request gives for a ticket's group, component or assignee is looked up in these,
on the API and on the pages alike, so an id of another contract is answered exactly as
one that does not exist: no answer tells a member of one contract what another holds.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from weibao.servicedesk.models import ServiceComponent, SupportGroup


def support_groups(contract_id: int | None) -> QuerySet:
    """The contract's support groups (none without a contract)."""
    return SupportGroup.objects.filter(contract_id=contract_id) if contract_id else SupportGroup.objects.none()


def components(contract_id: int | None) -> QuerySet:
    """The contract's active service catalogue entries (服务目录)."""
    if not contract_id:
        return ServiceComponent.objects.none()
    return ServiceComponent.objects.filter(contract_id=contract_id, active=True)


def people(contract_id: int | None) -> QuerySet:
    """Active users with an active role on the contract. Whether one may work its tickets
    is the service's rule (clause 十一.4), answered with its own reason."""
    User = get_user_model()
    if not contract_id:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, memberships__contract_id=contract_id, memberships__active=True
    ).distinct()
