"""Data-access requests (数据使用申请, clause 五.5): the bureau approves them; a change or
a ticket marked as touching data is closed only with a linked, valid approval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from weibao.changes import data, services
from weibao.changes.models import DataAccessRequest
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import tickets
from weibao.testing.isolation import assert_isolated, assert_list_excludes

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_payload(contract):
    return {"contract": contract.pk, "purpose": "核对证照数据", "data_scope": "营业执照照面", "systems": "电子证照",
            "period_start": "2026-11-20", "period_end": "2026-12-20"}


def _approved(contract, engineer, liaison, **period):
    row = data.request_access(contract, by=engineer, purpose="核对", data_scope="照面", systems="电子证照",
                              period_start=period.get("start", dt.date(2026, 11, 20)),
                              period_end=period.get("end", dt.date(2026, 12, 20)))
    return data.decide(row, by=liaison, approve=True)


def test_the_bureau_approves_a_request_and_it_is_active_then_expires(contract, engineer, liaison, api_client_for,
                                                                     request_payload, clock):
    created = api_client_for(engineer).post("/api/v1/data-access/", request_payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "requested"
    pk = created.json()["id"]
    assert api_client_for(engineer).post(f"/api/v1/data-access/{pk}/approve/", {}, format="json").status_code == 403
    approved = api_client_for(liaison).post(f"/api/v1/data-access/{pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "active"
    clock.advance(dt.timedelta(days=40))
    assert api_client_for(engineer).get(f"/api/v1/data-access/{pk}/").json()["state"] == "expired"


def test_bad_requests_name_the_field(engineer, api_client_for, request_payload):
    client = api_client_for(engineer)
    for change, field in (({"period_end": "2026-11-01"}, "period_end"), ({"purpose": ""}, "purpose"),
                          ({"period_start": "0001-01-01"}, "period_start")):
        response = client.post("/api/v1/data-access/", {**request_payload, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()


def test_a_change_touching_data_is_closed_only_with_a_valid_approval(contract, engineer, liaison, clock):
    start = clock.now() + dt.timedelta(hours=1)
    change = services.request_change(contract, by=engineer, kind="normal", title="修正数据", reason="r",
                                     implementation_plan="p", rollback_plan="b", planned_start=start,
                                     planned_end=start + dt.timedelta(hours=1), touches_data=True)
    services.approve(change, by=liaison)
    for step in ("implementing", "implemented"):
        services.transition(change, step, by=engineer)
    with pytest.raises(ValidationError) as error:
        services.transition(change, "closed", by=engineer, review_outcome="successful", review_notes="ok")
    assert "data_access" in error.value.message_dict
    expired = _approved(contract, engineer, liaison, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    services.link_data_access(change, expired, by=engineer)
    with pytest.raises(ValidationError):
        services.transition(change, "closed", by=engineer, review_outcome="successful", review_notes="ok")
    services.link_data_access(change, _approved(contract, engineer, liaison), by=engineer)
    closed = services.transition(change, "closed", by=engineer, review_outcome="successful", review_notes="ok")
    assert closed.status == "closed"


def test_a_ticket_marked_as_touching_data_cannot_be_closed_without_a_linked_valid_approval(
    contract, engineer, liaison, new_ticket, api, clock
):
    ticket = Ticket.objects.get(pk=new_ticket()["id"])
    tickets.transition(ticket, "assigned", by=engineer, assignee=engineer)
    tickets.transition(ticket, "in_progress", by=engineer)
    tickets.transition(ticket, "resolved", by=engineer, comment="已修正")
    data.mark_ticket(ticket, by=engineer)
    refused = api.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"to": "closed"}, format="json")
    assert refused.status_code == 400 and "data_access" in refused.json()
    pending = data.request_access(contract, by=engineer, purpose="p", data_scope="s", systems="x",
                                  period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError):
        data.mark_ticket(ticket, by=engineer, data_access=pending)  # not approved
    approval = _approved(contract, engineer, liaison)
    data.mark_ticket(ticket, by=engineer, data_access=approval)
    assert api.post(f"/api/v1/tickets/{ticket.pk}/transition/", {"to": "closed"}, format="json").status_code == 200


def test_a_revoked_approval_no_longer_lets_a_ticket_close(contract, engineer, liaison, new_ticket):
    ticket = Ticket.objects.get(pk=new_ticket()["id"])
    approval = _approved(contract, engineer, liaison)
    data.mark_ticket(ticket, by=engineer, data_access=approval)
    data.revoke(approval, by=liaison, comment="超范围使用")
    with pytest.raises(ValidationError):
        data.ticket_closable(ticket)


def test_the_ticket_page_panel_marks_a_ticket(contract, engineer, liaison, new_ticket, client_for):
    ticket_id = new_ticket()["id"]
    approval = _approved(contract, engineer, liaison)
    web = client_for(engineer)
    before = web.get(f"/tickets/{ticket_id}/").content.decode()
    assert "变更与数据使用" in before
    # The approvals in force are offered, by number and purpose.
    assert f'<option value="{approval.pk}">{approval.number} {approval.purpose[:29]}' in before
    assert web.post(f"/changes/tickets/{ticket_id}/data/", {"data_access": approval.pk}).status_code == 302
    assert approval.number in web.get(f"/tickets/{ticket_id}/").content.decode()
    assert client_for(liaison).post(f"/changes/tickets/{ticket_id}/data/", {}).status_code == 403


def test_data_access_is_isolated(contract, engineer, outsider, api_client_for, client_for):
    row = data.request_access(contract, by=engineer, purpose="机密用途乙", data_scope="s", systems="x",
                              period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 12, 1))
    secrets = ["机密用途乙"]
    assert_isolated(api_client_for(outsider), [f"/api/v1/data-access/{row.pk}/"], secrets)
    assert_isolated(api_client_for(outsider), [f"/api/v1/data-access/{row.pk}/approve/"], secrets, method="post")
    assert_list_excludes(api_client_for(outsider), "/api/v1/data-access/", secrets)
    web = client_for(outsider)
    assert_isolated(web, [f"/changes/data/{row.pk}/", "/changes/data/"], secrets)
    assert_isolated(web, [f"/changes/data/{row.pk}/decide/"], secrets, method="post",
                    content_type="application/x-www-form-urlencoded")
    assert DataAccessRequest.objects.get(pk=row.pk).status == "requested"
