"""The ticket page asks in one statement which of a ticket's lists hold anything
(servicedesk/probes.py) and reads only those: a row of each list is found on its own
ticket and no other, and what is found is shown."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.servicedesk import probes
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import attachments, tickets
from weibao.testing.factories import RatingFactory, TicketFactory

EVERY_LIST = {"attachments", "worklogs", "links", "rating", "escalations", "changes", "data_mark", "articles"}


def _found(ticket) -> set[str]:
    fresh = Ticket.objects.get(pk=ticket.pk)  # the answer is kept on the object it was asked of
    return {name for name in EVERY_LIST if probes.has(fresh, name)}


def test_every_list_beside_the_ticket_has_a_probe(desk, contract, pm):
    ticket = TicketFactory(contract=contract, by=pm)
    assert set(probes._probes) == EVERY_LIST
    assert _found(ticket) == set()


def test_a_row_is_found_on_its_own_ticket_and_on_no_other(desk, contract, pm, engineer):
    ticket, other = TicketFactory(contract=contract, by=pm), TicketFactory(contract=contract, by=pm)
    tickets.add_worklog(ticket, by=engineer, minutes=30, note="远程排查")
    assert _found(ticket) == {"worklogs"}
    attachments.add_attachment(ticket, SimpleUploadedFile("截图.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64), by=pm)
    assert _found(ticket) == {"worklogs", "attachments"}
    tickets.link(other, ticket, by=pm)  # linked *to* it: found on both
    assert _found(ticket) == {"worklogs", "attachments", "links"}
    assert _found(other) == {"links"}


def test_a_rating_is_found_and_shown(desk, contract, pm, client_for):
    rating = RatingFactory(ticket=TicketFactory(contract=contract, by=pm, status="resolved"), comment="非常及时")
    assert _found(rating.ticket) == {"rating"}
    page = client_for(pm).get(f"/tickets/{rating.ticket.pk}/").content.decode()
    assert "非常及时" in page


def test_the_answer_is_asked_once_per_ticket_object(desk, contract, pm, django_assert_num_queries):
    ticket = Ticket.objects.get(pk=TicketFactory(contract=contract, by=pm).pk)
    with django_assert_num_queries(1):
        assert not probes.has(ticket, "rating")
        assert not probes.has(ticket, "links")
        assert not probes.has(ticket, "escalations")


def test_a_probe_that_does_not_depend_on_the_ticket_is_refused(desk, contract, pm):
    ticket = TicketFactory(contract=contract, by=pm)
    probes.register_ticket_probe("everything", lambda ticket_id: Ticket.objects.all())
    try:
        with pytest.raises(ValueError, match="'everything': .* does not put id"):
            probes.has(Ticket.objects.get(pk=ticket.pk), "everything")
    finally:
        del probes._probes["everything"]
        probes._statements.clear()


def test_two_probes_of_one_name_are_refused():
    with pytest.raises(ValueError, match="two ticket probes"):
        probes.register_ticket_probe("rating", lambda ticket_id: Ticket.objects.filter(pk=ticket_id))
