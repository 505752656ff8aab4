"""Reading tickets cheaply: paging the list without paying for a full count (rows first,
the count capped, decision 0007; what the list holds is
``servicedesk.filtersets.TicketFilterSet``'s), a keyword in the subjects through an index,
the list's filter choices and a ticket's links in one query each."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import CharField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from weibao.contracts.services import vendor_team
from weibao.core.statements import Statement
from weibao.servicedesk.models import ServiceComponent, SupportGroup, TicketLink

COUNT_CAP = 10_000
# The FTS5 trigram table of the subjects on SQLite (migration 0014); its tokens are three
# characters, so a shorter keyword is looked for the plain way.
SUBJECT_SEARCH = ("SELECT rowid FROM servicedesk_ticket_subject_search "
                  "WHERE servicedesk_ticket_subject_search MATCH %s")
TRIGRAM = 3


def subject_contains(keyword: str) -> Q:
    """Tickets whose subject contains ``keyword``, whatever its case: what
    ``subject__icontains`` finds, through an index on both databases. PostgreSQL's
    ``UPPER(subject) LIKE`` has a trigram GIN index (migration 0003); on SQLite a
    ``LIKE '%…%'`` reads every subject, so a keyword of three characters or more is
    looked up in the FTS5 trigram table as one quoted phrase: ``%``, ``_`` and the
    query syntax's own characters are plain text in it, as in ``icontains``."""
    if connection.vendor != "sqlite" or len(keyword) < TRIGRAM:
        return Q(subject__icontains=keyword)
    phrase = '"' + keyword.replace('"', '""') + '"'
    # The phrase is a bound parameter; the statement is the constant above.
    return Q(pk__in=RawSQL(SUBJECT_SEARCH, [phrase]))  # noqa: S611


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: a contract with a million tickets must not pay
    for an exact COUNT(*) on every page view. ``count_is_capped`` says "10,000+"."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP


@dataclass
class RowsPage:
    """One page of rows without counting the whole result: the list shows the rows at
    once and fetches the (capped) count separately."""

    object_list: list
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 400  # 10,000 rows at 25 a page; beyond that, filter


def rows_page(tickets, page: int, size: int) -> RowsPage:
    """Rows of page ``page`` (parsed by core.params.parse_page), without counting them all."""
    number = max(1, min(page, MAX_PAGE))
    offset = (number - 1) * size
    rows = list(tickets[offset : offset + size + 1])
    return RowsPage(rows[:size], number, size, len(rows) > size)


def capped_count(tickets) -> int:
    return tickets.order_by()[: COUNT_CAP + 1].count()


# What a link shows of the ticket at its other end (its number and subject, its address).
_LINKED_TICKET = ("kind", "from_ticket_id", "to_ticket_id", "from_ticket__number", "from_ticket__subject",
                  "to_ticket__number", "to_ticket__subject")


def links_of(ticket) -> tuple[list, list]:
    """The ticket's links out and in, with the number and subject of the tickets at their
    other ends: one query (not both tickets' every column, which cost more to compile and
    build than the page's other panels together)."""
    both = list(
        TicketLink.objects.filter(Q(from_ticket_id=ticket.pk) | Q(to_ticket_id=ticket.pk))
        .select_related("from_ticket", "to_ticket").only(*_LINKED_TICKET).order_by("pk")
    )
    return ([link for link in both if link.from_ticket_id == ticket.pk],
            [link for link in both if link.to_ticket_id == ticket.pk])


@dataclass(frozen=True)
class Choice:
    """One option of a filter's list: what is sent, and what is shown."""

    pk: int
    label: str

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class FilterChoices:
    components: list[Choice]
    groups: list[Choice]
    team: list[Choice]


def _filter_choice_rows(contract_id: int):
    return (
        ServiceComponent.objects.filter(contract_id=contract_id).order_by()
        .values_list(_tag("c"), "pk", "name", "code")
        .union(
            SupportGroup.objects.filter(contract_id=contract_id).order_by()
            .values_list(_tag("g"), "pk", "name", "name"),
            vendor_team(contract_id).order_by().values_list(_tag("u"), "pk", "display_name", "username"),
            all=True,
        )
    )


# Compiled once: three queries in a union cost more to build than to answer.
_FILTER_CHOICES = Statement(_filter_choice_rows)


def filter_choices(contract) -> FilterChoices:
    """The list's service components (by code), support groups (by name) and vendor team
    (by username, shown by display name) in one query: the page shows them on every view."""
    found: dict[str, list[tuple[str, Choice]]] = {"c": [], "g": [], "u": []}
    for which, pk, shown, sort_key in _FILTER_CHOICES.rows(contract.pk):
        found[which].append((sort_key, Choice(pk, shown or sort_key)))
    ordered = {which: [choice for _, choice in sorted(items, key=lambda item: item[0])]
               for which, items in found.items()}
    return FilterChoices(components=ordered["c"], groups=ordered["g"], team=ordered["u"])


def _tag(letter: str) -> Value:
    return Value(letter, output_field=CharField())
