"""POST /api/v1/tickets/{id}/reveal/ and the ticket page's reveal form: a reason, the
capability, the ticket's contract; every reveal audited without the value."""

import json

import pytest

from weibao.audit.models import AuditRecord
from weibao.servicedesk.models import Ticket

CLEAR = "13812345678"


@pytest.fixture
def ticket(new_ticket):
    return Ticket.objects.get(pk=new_ticket(requester_email="zhangsan@example.com")["id"])


def _reads(user):
    return AuditRecord.objects.filter(action="ticket.personal_data.read", actor_id=user.pk)


def test_a_holder_reveals_with_a_reason_and_it_is_audited_without_the_value(pm, ticket, api_client_for):
    api = api_client_for(pm)
    response = api.post(f"/api/v1/tickets/{ticket.pk}/reveal/", {"field": "requester_phone", "reason": "回访来电群众"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"field": "requester_phone", "value": CLEAR}
    record = _reads(pm).get()
    assert record.object_id == str(ticket.pk) and record.contract_id == ticket.contract_id
    assert record.detail == {"field": "requester_phone", "reason": "回访来电群众"}
    written = json.dumps([record.before, record.after, record.detail, record.object_repr], ensure_ascii=False)
    assert CLEAR not in written
    email = api.post(f"/api/v1/tickets/{ticket.pk}/reveal/", {"field": "requester_email", "reason": "回复邮件"}, format="json")
    assert email.json()["value"] == "zhangsan@example.com"


@pytest.mark.parametrize("payload, named", [
    ({"field": "requester_phone"}, "reason"),
    ({"field": "requester_phone", "reason": "   "}, "reason"),
    ({"field": "password", "reason": "想看"}, "field"),
    ({"reason": "回访"}, "field"),
])
def test_bad_requests_name_the_field_and_reveal_nothing(pm, ticket, api_client_for, payload, named):
    response = api_client_for(pm).post(f"/api/v1/tickets/{ticket.pk}/reveal/", payload, format="json")
    assert response.status_code == 400
    assert named in response.json()
    assert CLEAR not in response.content.decode()
    assert not _reads(pm).exists()


# The viewer reads the ticket but may not reveal (403); the auditor does not read tickets
# at all, so for them the ticket does not exist (404, as every ticket route answers).
@pytest.mark.parametrize("role, expected", [("bureau_viewer", 403), ("auditor", 404)])
def test_without_the_capability_refused(role, expected, ticket, contract, make_member, api_client_for):
    user = make_member(contract, role)
    response = api_client_for(user).post(f"/api/v1/tickets/{ticket.pk}/reveal/", {"field": "requester_phone", "reason": "x"}, format="json")
    assert response.status_code == expected
    assert CLEAR not in response.content.decode()
    assert not _reads(user).exists()


def test_another_contracts_ticket_is_404(ticket, other_contract, make_member, api_client_for):
    stranger = make_member(other_contract, "project_manager")
    response = api_client_for(stranger).post(f"/api/v1/tickets/{ticket.pk}/reveal/", {"field": "requester_phone", "reason": "x"}, format="json")
    assert response.status_code == 404
    assert CLEAR not in response.content.decode()


def test_the_list_keeps_the_phone_masked(pm, ticket, api_client_for):
    response = api_client_for(pm).get("/api/v1/tickets/")
    assert response.status_code == 200
    assert CLEAR not in response.content.decode()
    assert "138****5678" in response.content.decode()


def test_the_page_asks_for_a_reason(pm, ticket, client_for):
    web = client_for(pm)
    page = web.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'name="reason"' in page and CLEAR not in page
    refused = web.post(f"/tickets/{ticket.pk}/phone/")
    assert refused.status_code == 400 and CLEAR not in refused.content.decode()
    assert not _reads(pm).exists()
    shown = web.post(f"/tickets/{ticket.pk}/phone/", {"reason": "回访"})
    assert shown.status_code == 200 and CLEAR in shown.content.decode()
    assert _reads(pm).get().detail == {"field": "requester_phone", "reason": "回访"}


def test_exports_and_the_trail_mask_every_kind(pm, ticket, client_for, api_client_for):
    export = client_for(pm).get("/tickets/?export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig") if export.streaming else export.content.decode("utf-8-sig")
    assert "张*" in body and "张三" not in body and CLEAR not in body
    api_client_for(pm).patch(f"/api/v1/tickets/{ticket.pk}/", {"requester_name": "李四", "requester_email": "lisi@example.com"}, format="json")
    change = AuditRecord.objects.get(action="ticket.personal_data.change")
    written = json.dumps([change.before, change.after], ensure_ascii=False)
    assert "李*" in written and "l***@example.com" in written
    assert "李四" not in written and "lisi@" not in written and "张三" not in written
    create = AuditRecord.objects.get(action="ticket.create")
    assert "张三" not in json.dumps(create.after, ensure_ascii=False)


def test_the_contracts_auditor_lists_the_reveal(pm, ticket, contract, make_member, api_client_for):
    api_client_for(pm).post(f"/api/v1/tickets/{ticket.pk}/reveal/", {"field": "requester_phone", "reason": "回访来电群众"}, format="json")
    auditor = make_member(contract, "auditor")
    listed = api_client_for(auditor).get("/api/v1/audit/reveals/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["actor"] == pm.username and row["object_id"] == str(ticket.pk)
    assert row["field"] == "requester_phone" and row["reason"] == "回访来电群众"
    assert CLEAR not in listed.content.decode()


def test_names_and_emails_are_masked_for_those_who_may_not_reveal(ticket, contract, make_member, api_client_for, client_for, pm):
    viewer = make_member(contract, "bureau_viewer")
    shown = api_client_for(viewer).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert shown["requester_name"] == "张*" and shown["requester_email"] == "z***@example.com"
    assert shown["requester_phone"] == "138****5678"
    listed = api_client_for(viewer).get("/api/v1/tickets/").content.decode()
    assert "张三" not in listed and "zhangsan@" not in listed
    for path in (f"/tickets/{ticket.pk}/", f"/tickets/?contract={contract.pk}"):
        page = client_for(viewer).get(path).content.decode()
        assert "张三" not in page and "张*" in page, path
    # Those who call back read the name (the phone still needs a reveal).
    assert api_client_for(pm).get("/api/v1/tickets/").json()["results"][0]["requester_name"] == "张三"
    assert "张三" in client_for(pm).get(f"/tickets/{ticket.pk}/").content.decode()
