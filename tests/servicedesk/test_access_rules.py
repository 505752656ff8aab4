"""The page and the API follow one access rule (issue 12): internal notes, and who is
refused with which answer."""

from __future__ import annotations

import pytest

from weibao.servicedesk.models import Ticket, TicketEntry


@pytest.fixture
def ticket(new_ticket):
    return new_ticket(requester_phone="13912345678")


def test_the_liaisons_internal_note_is_refused_by_the_page_not_published(ticket, liaison, client_for):
    response = client_for(liaison).post(f"/tickets/{ticket['id']}/reply/", {"body": "别让请求人看到", "internal": "on"})
    assert response.status_code == 403
    assert "内部备注仅限乙方团队" in response.content.decode()
    assert not TicketEntry.objects.filter(body="别让请求人看到").exists()


def test_the_liaisons_internal_note_is_refused_by_the_api_alike(ticket, liaison, api_client_for):
    response = api_client_for(liaison).post(
        f"/api/v1/tickets/{ticket['id']}/replies/", {"body": "别让请求人看到", "public": False}, format="json"
    )
    assert response.status_code == 403
    assert "内部备注仅限乙方团队" in response.json()["detail"]
    assert not TicketEntry.objects.filter(body="别让请求人看到").exists()


def test_a_reply_is_public_unless_a_note_is_asked_for_on_the_page_as_on_the_api(ticket, liaison, client_for):
    web = client_for(liaison)
    assert 'name="internal"' not in web.get(f"/tickets/{ticket['id']}/").content.decode()
    assert web.post(f"/tickets/{ticket['id']}/reply/", {"body": "请尽快"}).status_code == 302
    assert TicketEntry.objects.get(body="请尽快").public is True


def test_the_vendor_still_writes_internal_notes_from_the_page(ticket, engineer, client_for):
    web = client_for(engineer)
    assert 'name="internal"' in web.get(f"/tickets/{ticket['id']}/").content.decode()
    web.post(f"/tickets/{ticket['id']}/reply/", {"body": "内部：疑似证书过期", "internal": "on"})
    note = TicketEntry.objects.get(body="内部：疑似证书过期")
    assert note.kind == TicketEntry.Kind.NOTE and not note.public


def test_a_refused_urge_tells_why_on_the_page(ticket, engineer, client_for):
    response = client_for(engineer).post(f"/tickets/{ticket['id']}/urge/", {"comment": "快"})
    assert response.status_code == 403
    assert "只有甲方人员可以督办" in response.content.decode()
    assert Ticket.objects.get(pk=ticket["id"]).urged_count == 0


def test_the_bureau_viewer_is_refused_work_on_a_ticket_it_sees(ticket, viewer, client_for, api_client_for):
    web, api = client_for(viewer), api_client_for(viewer)
    for path in ("transition/", "update/", "worklog/", "arrival/", "link/"):
        assert web.post(f"/tickets/{ticket['id']}/{path}", {"to": "cancelled", "minutes": "5"}).status_code == 403
    assert api.post(f"/api/v1/tickets/{ticket['id']}/transition/", {"to": "cancelled"}, format="json").status_code == 403
    assert api.patch(f"/api/v1/tickets/{ticket['id']}/", {"priority": "p1"}, format="json").status_code == 403
    assert Ticket.objects.get(pk=ticket["id"]).status == "new"


def test_the_auditor_is_refused_the_ticket_list_on_the_page_and_the_api(contract, make_member, client_for, api_client_for):
    auditor = make_member(contract, "auditor", username="auditor")
    assert client_for(auditor).get("/tickets/").status_code == 403
    assert api_client_for(auditor).get("/api/v1/tickets/").status_code == 403


def test_bulk_actions_are_refused_to_who_works_no_tickets(ticket, viewer, client_for):
    response = client_for(viewer).post("/tickets/bulk/", {"ticket": [ticket["id"]], "action": "close"})
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket["id"]).status == "new"


def test_opening_a_ticket_through_the_api_is_refused_to_the_bureau_viewer(contract, viewer, api_client_for):
    response = api_client_for(viewer).post(
        "/api/v1/tickets/", {"contract": contract.pk, "type": "fault", "subject": "x", "requester_name": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()
