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
from dataclasses import replace

from django.db import connections, router
from django.db.models import Q, QuerySet

from weibao.core.statements import Compiled, compile_with_stand_ins
from weibao.servicedesk.models import Attachment, Ticket, TicketLink, Worklog

# rows_of(ticket_id) -> the rows of one list of the ticket (any columns, any order)
TicketProbe = Callable[[int], QuerySet]
_probes: dict[str, TicketProbe] = {}
_statements: dict[str, tuple[str, list[Compiled]]] = {}  # per database alias, built once
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
    sql, parts = _statement(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [value for part in parts for value in part.bind((ticket_id,))])
        row = cursor.fetchone()
    return {name: bool(value) for name, value in zip(_probes, row, strict=True)}


def _statement(alias: str) -> tuple[str, list[Compiled]]:
    """The probes' SQL, each compiled once (core.statements), asked together."""
    if alias not in _statements:
        parts = []
        for name, rows_of in _probes.items():
            try:
                compiled = compile_with_stand_ins(lambda ticket_id, rows_of=rows_of: rows_of(ticket_id).order_by()
                                                  .values("pk")[:1], 1, alias)
            except ValueError as error:
                raise ValueError(f"the ticket probe {name!r}: {error}") from None
            # Kept process-wide: the SQL and its parameters, not the compiler (and its connection).
            parts.append(replace(compiled, compiler=None))
        _statements[alias] = ("SELECT " + ", ".join(f"EXISTS ({part.sql})" for part in parts), parts)
    return _statements[alias]
