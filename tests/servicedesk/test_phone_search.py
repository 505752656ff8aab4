"""The list's search by phone finds a ticket only for who may see that phone in clear:
for anyone else a match would tell the masked digits, one guess at a time (issue 12)."""

from __future__ import annotations

import pytest

from weibao.testing.factories import MembershipFactory


@pytest.fixture
def ticket(new_ticket):
    return new_ticket(requester_phone="13912345678")


def test_the_bureau_viewer_cannot_find_a_ticket_by_its_hidden_phone(ticket, viewer, client_for, api_client_for):
    page = client_for(viewer).get("/tickets/", {"q": "13912345678"}).content.decode()
    assert ticket["number"] not in page
    assert api_client_for(viewer).get("/api/v1/tickets/", {"q": "13912345678"}).json()["count"] == 0
    # The ticket is there for them otherwise: only the phone does not find it.
    assert api_client_for(viewer).get("/api/v1/tickets/", {"q": ticket["subject"]}).json()["count"] == 1


@pytest.mark.parametrize("role", ["bureau_liaison", "resident_engineer"])
def test_who_may_see_the_phone_finds_the_ticket_by_it(role, ticket, contract, make_member, api_client_for):
    member = make_member(contract, role, username=f"m-{role}")
    assert api_client_for(member).get("/api/v1/tickets/", {"q": "139 1234 5678"}).json()["count"] == 1


def test_the_phone_search_reveals_nothing_on_a_contract_where_one_only_reads(
    ticket, contract, other_contract, make_member, api_client_for
):
    # A liaison elsewhere who is a viewer here: their right on the other contract does not carry.
    person = make_member(other_contract, "bureau_liaison", username="both")
    MembershipFactory(contract=contract, user=person, role="bureau_viewer")
    assert api_client_for(person).get("/api/v1/tickets/", {"q": "13912345678"}).json()["count"] == 0
