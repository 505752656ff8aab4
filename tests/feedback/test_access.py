"""Who is rating is decided once (feedback.access.rater_for), and the 好差评 services refuse
by themselves: a task or a later app calling them cannot skip the rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weibao.contracts.models import Membership
from weibao.feedback.access import RaterKind, rater_for
from weibao.feedback.models import Rating, Rectification
from weibao.feedback.services import ratings, rectifications
from weibao.servicedesk.models import Ticket


@pytest.fixture
def finished(api, new_ticket, engineer):
    def make() -> Ticket:
        ticket = new_ticket(assignee=engineer.pk)
        url = f"/api/v1/tickets/{ticket['id']}/transition/"
        api.post(url, {"to": "in_progress"}, format="json")
        assert api.post(url, {"to": "resolved", "comment": "已处理"}, format="json").status_code == 200
        return Ticket.objects.get(pk=ticket["id"])

    return make


def test_who_is_rating_is_the_requester_the_liaison_the_vendor_relaying_or_nobody(
    finished, pm, liaison, agent, engineer, outsider, contract, make_member
):
    ticket = finished()
    viewer = make_member(contract, "bureau_viewer", username="viewer")
    assert rater_for(None, ticket).kind == RaterKind.REQUESTER
    assert rater_for(liaison, ticket).kind == RaterKind.LIAISON
    assert rater_for(agent, ticket).kind == RaterKind.RELAY
    assert rater_for(pm, ticket).kind == RaterKind.RELAY
    assert rater_for(engineer, ticket).kind == RaterKind.NONE
    assert rater_for(viewer, ticket).kind == RaterKind.NONE
    # Another contract's member: nobody off the portal, the requester on it.
    assert rater_for(outsider, ticket).kind == RaterKind.NONE
    assert rater_for(outsider, ticket, on_portal=True) == rater_for(None, ticket)
    # A member of the ticket's contract is never taken for the requester on the portal.
    assert rater_for(engineer, ticket, on_portal=True).kind == RaterKind.NONE


def test_a_liaison_who_also_works_the_tickets_relays_rather_than_rates_as_the_requester(
    finished, contract, make_member
):
    both = make_member(contract, "bureau_liaison", username="both")
    Membership.objects.create(contract=contract, user=both, role="resident_engineer")
    ticket = finished()
    assert rater_for(both, ticket).kind == RaterKind.RELAY
    assert ratings.rate(ticket, 5, by=both, source=Rating.Source.WEB).source == Rating.Source.PHONE


def test_who_is_rating_reads_the_memberships_once(finished, agent):
    ticket = finished()
    ratings.rate(ticket, 4, by=agent, source=Rating.Source.API)
    with CaptureQueriesContext(connection) as queries:
        assert not ratings.may_rate(agent, ticket)
    reads = [q["sql"] for q in queries.captured_queries if "contracts_membership" in q["sql"]]
    assert len(reads) == 1, reads


def test_rate_refuses_a_member_who_may_not_rate_by_itself(finished, engineer, outsider):
    ticket = finished()
    for who in (engineer, outsider):
        with pytest.raises(PermissionDenied):
            ratings.rate(ticket, 5, by=who, source=Rating.Source.WEB)
    assert not Rating.objects.exists()


def test_rectification_callback_and_close_refuse_a_non_manager_by_themselves(finished, pm, liaison, engineer):
    ticket = finished()
    ratings.rate(ticket, 1, "没解决", by=liaison, source=Rating.Source.WEB)
    item = Rectification.objects.get()
    with pytest.raises(PermissionDenied):
        rectifications.record_callback(item, by=liaison, notes="回访", outcome="accepted", plan="整改")
    rectifications.record_callback(item, by=pm, notes="回访", outcome="accepted", plan="整改")
    with pytest.raises(PermissionDenied):
        rectifications.close(item, by=engineer)
    item.refresh_from_db()
    assert item.status == Rectification.Status.OPEN
    assert item.callback_by == pm


def test_a_member_who_sees_a_rectification_but_does_not_manage_it_is_refused_on_the_page(
    finished, pm, liaison, client_for
):
    ticket = finished()
    ratings.rate(ticket, 1, "没解决", by=liaison, source=Rating.Source.WEB)
    item = Rectification.objects.get()
    web = client_for(liaison)
    assert web.get(f"/feedback/{item.pk}/").status_code == 200
    response = web.post(f"/feedback/{item.pk}/callback/", {"callback_notes": "x", "callback_outcome": "accepted"})
    assert response.status_code == 403
    assert web.post(f"/feedback/{item.pk}/close/").status_code == 403
    item.refresh_from_db()
    assert item.callback_at is None


def test_the_page_and_the_api_refuse_an_engineers_rating_alike(finished, engineer, client_for, api_client_for):
    ticket = finished()
    assert client_for(engineer).post(f"/feedback/rate/{ticket.pk}/", {"level": "5"}).status_code == 403
    response = api_client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/rating/", {"level": 5}, format="json")
    assert response.status_code == 403 and "您不能为此工单评价" in response.json()["detail"]
    assert not Rating.objects.exists()


def test_a_member_who_may_read_no_figures_is_refused_before_the_contract_is_asked_for(
    contract, make_member, api_client_for
):
    auditor = api_client_for(make_member(contract, "auditor", username="auditor"))
    assert auditor.get("/api/v1/feedback/figures/").status_code == 403
    response = auditor.get("/api/v1/feedback/figures/", {"contract": contract.pk, "start": "2026-01-01",
                                                         "end": "2026-01-31"})
    assert response.status_code == 403 and "好差评统计" in response.json()["detail"]
