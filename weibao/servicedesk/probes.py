"""Which of a ticket's related lists hold anything, asked in one statement.

The ticket page shows a dozen lists beside the ticket (attachments, work log, links, the
好差评 rating, escalations, changes, the data mark, articles written from it), most of
them empty on most tickets, and each cost a query of its own: the Python that builds and
compiles it cost more than the database's answer (decision 0033). A list registers a probe
here, the rows it would read for a ticket id; the first ``has(ticket, name)`` on a ticket
asks all probes at once (``SELECT EXISTS (…), EXISTS (…)``) and the page queries only the
lists that are not empty. Apps above the service desk register theirs in their
AppConfig.ready(), as they register their panels (panels.py).

A probe says whether rows exist, not who may see them: what is shown is still read
through each app's access layer, and only when its probe says there is something to read.
The answer is kept on the ticket object for the request that read it; it is for pages
that read, not for services that write and read again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections, router
from django.db.models import Q, QuerySet

from weibao.servicedesk.models import Attachment, Ticket, TicketLink, Worklog

# rows_of(ticket_id) -> the rows of one list of the ticket (any columns, any order)
TicketProbe = Callable[[int], QuerySet]
_probes: dict[str, TicketProbe] = {}
_statements: dict[str, tuple[str, list, list[int]]] = {}  # per database alias, built once
# Stands for the ticket id while a probe's SQL is built once; never a real id (ids > 0).
_PLACEHOLDER_ID = -918_273_645
_ANSWERS = "_probed_lists"


def attachments_of(ticket_id: int) -> QuerySet:
    return Attachment.objects.filter(ticket_id=ticket_id)


def worklogs_of(ticket_id: int) -> QuerySet:
    return Worklog.objects.filter(ticket_id=ticket_id)


def links_of(ticket_id: int) -> QuerySet:
    """Both ways: the ticket's links to others and others' links to it."""
    return TicketLink.objects.filter(Q(from_ticket_id=ticket_id) | Q(to_ticket_id=ticket_id))


def register_ticket_probe(name: str, rows_of: TicketProbe) -> None:
    if _probes.get(name) not in (None, rows_of):
        raise ValueError(f"two ticket probes named {name!r}")
    _probes[name] = rows_of
    _statements.clear()


def has(ticket, name: str) -> bool:
    """Whether the ticket's list ``name`` holds any row (all lists asked at the first call)."""
    answers = ticket.__dict__.get(_ANSWERS)
    if answers is None:
        answers = ticket.__dict__[_ANSWERS] = _ask(ticket.pk)
    return answers[name]


def _ask(ticket_id: int) -> dict[str, bool]:
    if not _probes:
        return {}
    alias = router.db_for_read(Ticket)
    sql, params, ticket_slots = _statement(alias)
    bound = list(params)
    for slot in ticket_slots:
        bound[slot] = ticket_id if isinstance(params[slot], int) else str(ticket_id)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, bound)
        row = cursor.fetchone()
    return {name: bool(value) for name, value in zip(_probes, row, strict=True)}


def _statement(alias: str) -> tuple[str, list, list[int]]:
    """The probes' SQL, compiled once with a placeholder id, and where the id goes in its
    parameters (an integer, or its text where the list keys on a text column)."""
    if alias not in _statements:
        parts, params = [], []
        for name, rows_of in _probes.items():
            rows = rows_of(_PLACEHOLDER_ID).order_by().values("pk")[:1]
            sql, probe_params = rows.query.get_compiler(alias).as_sql()
            if _PLACEHOLDER_ID not in probe_params and str(_PLACEHOLDER_ID) not in probe_params:
                raise ValueError(f"the ticket probe {name!r} does not depend on the ticket")
            parts.append(f"EXISTS ({sql})")
            params.extend(probe_params)
        slots = [i for i, value in enumerate(params) if value in (_PLACEHOLDER_ID, str(_PLACEHOLDER_ID))]
        _statements[alias] = ("SELECT " + ", ".join(parts), params, slots)
    return _statements[alias]
