"""Tenant scoping: the one place that decides which contracts a user may see.

Every business model has a ``contract`` foreign key and uses
:class:`ContractScopedQuerySet`; every view, API endpoint, export and search starts
from ``Model.objects.for_user(user)``. Nothing else filters by contract membership.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from weibao.contracts.roles import roles_with
from weibao.core.choices import ChoiceLabelsModel


def member_contract_ids(user, roles: Iterable[str] | None = None) -> list[int]:
    """Ids of the contracts ``user`` is a member of (optionally only in ``roles``)."""
    # access reads Membership, whose module imports this one: hence here, within the app.
    from weibao.contracts.access import any_contract_where, memberships_of

    if roles is None:
        return sorted(memberships_of(user))
    return any_contract_where(user, roles)


def is_member(user, contract_id: int, roles: Iterable[str] | None = None) -> bool:
    return contract_id in member_contract_ids(user, roles)


def member_contracts_query(user_id, roles: Iterable[str]) -> models.QuerySet:
    """``member_contract_ids`` as a subquery of the user's id, for a statement compiled
    once (core.statements): the same memberships count."""
    from weibao.contracts.models import Membership

    return Membership.objects.filter(user_id=user_id, role__in=sorted(roles)).giving_access().values("contract_id")


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

    def restrict(self, user, capability: str):
        """Only the rows of contracts where ``user`` holds ``capability`` (NetBox's
        ``restrict(user, action)``): what a user may act on, not only see."""
        return self.for_user(user, roles_with(capability))

    def for_contract(self, contract):
        return self.filter(**{self.contract_lookup: contract})


class ContractScopedModel(ChoiceLabelsModel):
    """Base for every business record: it belongs to exactly one contract."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="+", verbose_name="合同"
    )

    objects = ContractScopedQuerySet.as_manager()

    class Meta:
        abstract = True
