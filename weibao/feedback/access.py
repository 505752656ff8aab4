"""Who may rate a ticket, read the figures and manage rectifications: the 好差评 app's
load-and-check helpers, for the ticket page, the rating API, the portal and the services
alike (decision 0015). Views and APIs call these; they never name a role."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from weibao.contracts.access import contract_for, contract_ids_where, require, roles_on
from weibao.contracts.roles import Capability, roles_with
from weibao.feedback.models import Rectification
from weibao.servicedesk.models import Ticket

#: The audit trail's name for the requester rating on the public portal (no account).
PORTAL_REQUESTER = "portal requester"


class RaterKind(enum.StrEnum):
    REQUESTER = "requester"  # the requester on the portal (no account)
    LIAISON = "liaison"  # the bureau's liaison: the requester's side, in their own name
    RELAY = "relay"  # the vendor, writing down the requester's words on a call-back
    NONE = "none"  # may not rate this ticket


@dataclass(frozen=True)
class Rater:
    """Who is rating: ``user`` is recorded as the rating's author (None for the requester)."""

    kind: RaterKind
    user: object | None = None

    @property
    def may_rate(self) -> bool:
        return self.kind != RaterKind.NONE

    @property
    def relays(self) -> bool:
        return self.kind == RaterKind.RELAY


def rater_for(user, ticket: Ticket, *, on_portal: bool = False) -> Rater:
    """Who ``user`` is when rating ``ticket``, decided once from their roles on its contract.

    None (or nobody signed in) is the requester. A member who works the contract's tickets
    (the vendor) and may rate only relays: 好差评 is the requester's, the vendor never stands
    in for them. On the public portal anyone who is not a member of the ticket's contract is
    the requester; off the portal such a user may not rate.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Rater(RaterKind.REQUESTER)
    roles = roles_on(user, ticket.contract_id)
    if not roles:
        return Rater(RaterKind.REQUESTER) if on_portal else Rater(RaterKind.NONE, user)
    relays = bool(roles & roles_with(Capability.RELAY_RATING))
    if not (relays or roles & roles_with(Capability.RATE)):
        return Rater(RaterKind.NONE, user)
    if relays or roles & roles_with(Capability.WORK_TICKETS):
        return Rater(RaterKind.RELAY, user)
    return Rater(RaterKind.LIAISON, user)


def ticket_to_rate(user, pk: int) -> tuple[Ticket, Rater]:
    """The ticket ``user`` sees (404 otherwise) and who they are rating it as; 403 for a
    member who may not rate it."""
    ticket = Ticket.objects.restrict(user, Capability.VIEW_TICKETS).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    rater = rater_for(user, ticket)
    if not rater.may_rate:
        raise PermissionDenied(_("您不能为此工单评价。"))
    return ticket, rater


def visible_ticket(user, pk: int) -> Ticket:
    """A ticket whose rating ``user`` may read: one they see (404 otherwise)."""
    ticket = Ticket.objects.restrict(user, Capability.VIEW_TICKETS).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


def rectification_for(user, pk: int, capability: str = Capability.VIEW_TICKETS) -> Rectification:
    """A rectification of a ticket ``user`` sees (404 otherwise), once they hold
    ``capability`` on its contract (403 otherwise)."""
    item = (
        Rectification.objects.restrict(user, Capability.VIEW_TICKETS)
        .select_related("ticket", "rating", "contract").filter(pk=pk).first()
    )
    if item is None:
        raise Http404
    require(user, item.contract_id, capability)
    return item


def figures_contract(user, find_contract, message: str):
    """The contract whose figures ``user`` asks for: refused outright (403) when they may
    read figures on no contract at all, before the contract asked for is looked up with
    ``find_contract()`` (whose 400/404 name the field); then checked itself."""
    if not contract_ids_where(user, Capability.VIEW_FIGURES):
        raise PermissionDenied(message)
    return contract_for(user, find_contract(), Capability.VIEW_FIGURES, message)
