"""Tenant scoping: the one place that decides which contracts a user may see.

Every business model has a ``contract`` foreign key and uses
:class:`ContractScopedQuerySet`; every view, API endpoint, export and search starts
from ``Model.objects.for_user(user)``. Nothing else filters by contract membership.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


def member_contract_ids(user, roles: Iterable[str] | None = None) -> list[int]:
    """Ids of the contracts ``user`` is a member of (optionally only in ``roles``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    from weibao.contracts.models import Membership

    memberships = Membership.objects.active_for(user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return list(memberships.values_list("contract_id", flat=True).distinct())


def is_member(user, contract_id: int, roles: Iterable[str] | None = None) -> bool:
    return contract_id in member_contract_ids(user, roles)


class ContractScopedQuerySet(models.QuerySet):
    #: The lookup from this model to its contract; a model reached through another
    #: one (e.g. a reply through its ticket) overrides it, e.g. "ticket__contract".
    contract_lookup = "contract"

    def for_user(self, user, roles: Iterable[str] | None = None):
        """Only the rows of contracts where ``user`` is a member (in ``roles``, if given)."""
        ids = member_contract_ids(user, roles)
        if not ids:
            return self.none()
        return self.filter(**{f"{self.contract_lookup}__in": ids})

    def for_contract(self, contract):
        return self.filter(**{self.contract_lookup: contract})


class ContractScopedModel(models.Model):
    """Base for every business record: it belongs to exactly one contract."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="+", verbose_name="合同"
    )

    objects = ContractScopedQuerySet.as_manager()

    class Meta:
        abstract = True
