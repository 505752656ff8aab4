"""Who may do what in the knowledge base: load-and-check helpers for the pages and the API,
and the questions the services ask before they write."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from weibao.contracts.access import can, contract_ids_where, require
from weibao.contracts.models import Membership
from weibao.contracts.roles import VENDOR_ROLES, Capability
from weibao.knowledge.models import Article
from weibao.servicedesk.models import Ticket


def can_write(user, contract_id: int | None) -> bool:
    """Only the vendor's own team writes articles (clause 十一.4: no outsiders)."""
    return can(user, contract_id, Capability.WRITE_ARTICLES)


def can_manage(user, contract_id: int | None) -> bool:
    """Synonyms and sharing with other contracts: the project manager's."""
    return can(user, contract_id, Capability.MANAGE_KNOWLEDGE)


def readable_articles(user):
    """Published articles ``user`` may read, and the drafts of the teams they write for."""
    writer_contracts = contract_ids_where(user, Capability.WRITE_ARTICLES)
    return Article.objects.visible_to(user).filter(
        Q(status=Article.Status.PUBLISHED) | Q(contract_id__in=writer_contracts)
    )


def article_for(user, pk, capability: str | None = None) -> Article:
    """An article ``user`` may read (404 otherwise); with ``capability``, one they hold it
    on the article's own contract (403 otherwise: a shared article is read, not edited)."""
    article = get_object_or_404(readable_articles(user).select_related("contract"), pk=pk)
    if capability is not None:
        require(user, article.contract_id, capability)
    return article


def visible_ticket(user, pk) -> Ticket | None:
    """A ticket ``user`` sees, to draft an article from; None for anyone else's."""
    return Ticket.objects.restrict(user, Capability.VIEW_TICKETS).select_related("contract").filter(pk=pk).first()


def team_user_ids(contract_id: int):
    """Everyone who is or was on the contract's vendor team: whose replies are the fix."""
    return Membership.objects.filter(contract_id=contract_id, role__in=VENDOR_ROLES).values("user_id")
