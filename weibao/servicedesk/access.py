"""Who may do what on the service desk, and what a ticket may name: the load-and-check
helpers the pages and the API share (decision 0015, style.md "one access layer").

``ticket_for(user, pk, capability)`` answers 404 for a ticket the user does not see (so
no answer tells a member of one contract what another holds) and 403 when they see it but
may not do this. The services refuse by themselves too; these helpers let a page or an
endpoint refuse before it parses a form or a payload, with the same rule.

Every id a request gives for a ticket's group, component or assignee is looked up in
``support_groups``, ``components`` and ``people``, on the API and on the pages alike, so
an id of another contract is answered exactly as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from weibao.contracts.access import can, contracts_in_hand, require, roles_on
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability, ContractRole, roles_with
from weibao.contracts.scoping import is_member, member_contracts_query
from weibao.core.params import parse_id
from weibao.core.statements import Statement
from weibao.people import compliance
from weibao.servicedesk.models import (
    Attachment,
    ServiceComponent,
    SlaPolicy,
    SupportGroup,
    Ticket,
    TicketEntry,
)


def visible_tickets(user) -> QuerySet:
    """The tickets ``user`` may read (every member of the contract but its auditor)."""
    return Ticket.objects.restrict(user, Capability.VIEW_TICKETS)


def workable_tickets(user) -> QuerySet:
    """The tickets ``user`` may change: transitions, assignment, bulk actions."""
    return Ticket.objects.restrict(user, Capability.WORK_TICKETS)


def ticket_for(user, pk, capability: str = Capability.VIEW_TICKETS, message: str | None = None) -> Ticket:
    """The ticket ``pk`` for ``user`` to act on with ``capability``: Http404 when they do
    not see it, PermissionDenied when they see it but lack ``capability``."""
    # An id from a URL or a body is parsed here, by the one parser (ASCII digits only).
    pk = pk if isinstance(pk, int) else parse_id(pk)
    if pk is None:
        raise Http404
    # The contract as this request read it with the user's memberships (a ticket they see
    # is on one of theirs), and the ticket by a statement compiled once; outside a
    # request, the scoped query with the contract joined.
    in_hand = contracts_in_hand(user)
    if in_hand is None:
        ticket = get_object_or_404(visible_tickets(user).select_related("contract", *_SHOWN_WITH_TICKET), pk=pk)
    else:
        found = _TICKET.objects(pk, user.pk)
        # Seen as visible_tickets() sees (contracts.scoping, the one rule), else 404.
        if not found or not is_member(user, found[0].contract_id, roles_with(Capability.VIEW_TICKETS)):
            raise Http404
        ticket = found[0]
        ticket.contract = in_hand[ticket.contract_id]
    require(user, ticket.contract_id, capability, message)
    return ticket


_SHOWN_WITH_TICKET = ("component", "assignee", "group")
# Only a ticket of a contract where the user holds a role that views tickets is read at all
# (another contract's row is never decrypted in this process); is_member then answers from
# the memberships this request read, as visible_tickets() would.
_TICKET = Statement(lambda pk, user_id: Ticket.objects.select_related(*_SHOWN_WITH_TICKET).filter(
    pk=pk, contract_id__in=member_contracts_query(user_id, roles_with(Capability.VIEW_TICKETS)),
))


def attachment_for(user, pk) -> Attachment:
    """An attachment of a ticket ``user`` may read (Http404 otherwise)."""
    return get_object_or_404(
        Attachment.objects.restrict(user, Capability.VIEW_TICKETS).select_related("ticket"), pk=pk
    )


def policy_for(user, pk) -> SlaPolicy:
    """An SLA policy of a contract whose SLA ``user`` manages (Http404 otherwise)."""
    return get_object_or_404(SlaPolicy.objects.restrict(user, Capability.MANAGE_SLA), pk=pk)


def entries_for(user, ticket: Ticket) -> QuerySet:
    """A ticket's history as ``user`` reads it: internal notes only for the team that
    writes them, on the page and the API alike."""
    entries = ticket.entries.all()
    if not can(user, ticket.contract_id, Capability.WRITE_INTERNAL_NOTE):
        entries = entries.exclude(kind=TicketEntry.Kind.NOTE)
    return entries


@dataclass(frozen=True)
class TicketAbilities:
    """What ``user`` may do on one ticket, for the page to offer only that."""

    work: bool
    reply: bool
    note: bool
    urge: bool
    reveal_phone: bool


def abilities(user, contract_id: int | None) -> TicketAbilities:
    return TicketAbilities(
        work=can(user, contract_id, Capability.WORK_TICKETS),
        reply=can(user, contract_id, Capability.REPLY),
        note=can(user, contract_id, Capability.WRITE_INTERNAL_NOTE),
        urge=can(user, contract_id, Capability.URGE),
        reveal_phone=can(user, contract_id, Capability.REVEAL_PERSONAL_DATA),
    )


def urged_scope(user, contract_id: int | None) -> str | None:
    """Which 督办 tickets the home queue shows ``user``: "all" for the project manager (who
    is told of every urge), "mine" for who works tickets (those assigned to them), None
    for the rest."""
    if ContractRole.PROJECT_MANAGER in roles_on(user, contract_id):
        return "all"
    if can(user, contract_id, Capability.WORK_TICKETS):
        return "mine"
    return None


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


def who_can_work(contract: Contract | int | None) -> QuerySet:
    """Who a ticket is handed to and who is sent on site: active members holding
    TAKE_WORK (the engineers and the PM; not the hotline agent, nor the bureau or the
    auditor). The assignee and engineer lists offer these, and nobody else.
    ``contract``: the contract, or its id (then it is read for the register check)."""
    User = get_user_model()
    contract_id = contract.pk if isinstance(contract, Contract) else contract
    if not contract_id:
        return User.objects.none()
    team = User.objects.filter(
        is_active=True, admin_role_grant__isnull=True, memberships__contract_id=contract_id,
        memberships__active=True, memberships__role__in=roles_with(Capability.TAKE_WORK),
    ).distinct().order_by("username")
    # Clause 五.2: lapsed insurance or no signed agreement keeps one off the list, unless
    # the PM overrode it (people.compliance decides; the service refuses them too).
    if not isinstance(contract, Contract):
        contract = Contract.objects.filter(pk=contract_id).first()
    blocked = compliance.blocked_user_ids(contract, team)
    return team.exclude(pk__in=blocked) if blocked else team
