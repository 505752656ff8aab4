"""Reading tickets cheaply: paging the list without paying for a full count (rows first,
the count capped, decision 0007; what the list holds is
``servicedesk.filtersets.TicketFilterSet``'s), and a ticket's links in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from weibao.servicedesk.models import TicketLink

COUNT_CAP = 10_000


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


def links_of(ticket) -> tuple[list, list]:
    """The ticket's links out and in, with the tickets at their other ends: one query."""
    both = list(
        TicketLink.objects.filter(Q(from_ticket_id=ticket.pk) | Q(to_ticket_id=ticket.pk))
        .select_related("from_ticket", "to_ticket").order_by("pk")
    )
    return ([link for link in both if link.from_ticket_id == ticket.pk],
            [link for link in both if link.to_ticket_id == ticket.pk])
