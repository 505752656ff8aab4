"""May this person be put on a roster on this day? The one question every roster asks.

An active account with an active membership that holds TAKE_WORK (the engineers and the
PM; not the hotline agent, the bureau or the auditor), who is also compliant that day by
the people app's rule (clause 五.2: insurance and a signed confidentiality agreement;
clause 十一.4: employed by party B) or has the PM's override. A lapsed person leaves a gap
in the roster rather than standing on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model

from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability, roles_with
from weibao.people import compliance


def duty_people(contract_id: int):
    """Who a roster may offer at all on the contract (before any per-day rule)."""
    return get_user_model().objects.filter(
        is_active=True, admin_role_grant__isnull=True, memberships__contract_id=contract_id,
        memberships__active=True, memberships__role__in=roles_with(Capability.TAKE_WORK),
    ).distinct().order_by("username")


def rosterable(contract_id: int, user_ids: Iterable[int]) -> Callable[[int, dt.date], bool]:
    """A predicate ``(user_id, day) -> bool`` for many questions at once (one query)."""
    people = list(duty_people(contract_id).filter(pk__in=set(user_ids)))
    allowed = {user.pk for user in people}
    compliant = compliance.day_checker(Contract.objects.get(pk=contract_id), people) if people else None

    def may(user_id: int, day: dt.date) -> bool:
        return user_id in allowed and compliant(user_id, day)

    return may


def may_be_rostered(user, contract_id: int, day: dt.date) -> bool:
    return user is not None and rosterable(contract_id, [user.pk])(user.pk, day)
