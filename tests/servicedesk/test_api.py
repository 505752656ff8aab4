"""The service desk's acceptance interface: create, list, read, change, transition."""

from __future__ import annotations

from datetime import timedelta

import pytest

from weibao.audit.models import AuditRecord
from weibao.notifications.models import Notification
from weibao.servicedesk.models import Ticket
from weibao.testing.isolation import assert_isolated


def test_create_returns_the_ticket_with_its_sla(new_ticket, contract):
    ticket = new_ticket()
    assert ticket["number"] == "SL-2026-000001"
    assert ticket["status"] == "new"
    assert ticket["contract"] == contract.pk
    targets = {c["target"]: c for c in ticket["sla"]}
    assert set(targets) == {"response", "resolution"}
    # P1 fault: response 15 min on 7×24 from 2026-11-24 10:00 Shanghai.
    assert targets["response"]["due_at"].startswith("2026-11-24T02:15:00")
    assert targets["response"]["state"] == "running"
    assert targets["response"]["remaining_seconds"] == 15 * 60
    assert targets["resolution"]["remaining_seconds"] == 4 * 3600


def test_numbers_are_sequential_per_contract(new_ticket):
    assert [new_ticket()["number"] for _ in range(3)] == [
        "SL-2026-000001", "SL-2026-000002", "SL-2026-000003"
    ]


def test_create_is_audited_with_the_phone_masked(new_ticket):
    ticket = new_ticket()
    record = AuditRecord.objects.get(action="ticket.create", object_id=str(ticket["id"]))
    assert record.after["requester_phone"] == "138****5678"


def test_list_filters_by_contract_and_status(api, new_ticket, contract):
    first = new_ticket()
    new_ticket(subject="门户首页打不开")
    api.post(f"/api/v1/tickets/{first['id']}/transition/", {"to": "cancelled"}, format="json")
    response = api.get("/api/v1/tickets/", {"contract": contract.pk, "status": "new"})
    assert response.status_code == 200
    assert [t["subject"] for t in response.json()["results"]] == ["门户首页打不开"]
    # Lists mask the phone number.
    assert response.json()["results"][0]["requester_phone"] == "138****5678"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "open"}, "status"), ({"priority": "p9"}, "priority"), ({"colour": "red"}, "colour"),
     ({"created_from": "yesterday"}, "created_from"), ({"sort": "random"}, "sort"),
     ({"contract": "abc"}, "contract")],
)
def test_list_rejects_bad_filters_naming_them(api, desk, params, field):
    response = api.get("/api/v1/tickets/", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "complaint"}, "type"),
        ({"priority": "p0"}, "priority"),
        ({"channel": "fax"}, "channel"),
        ({"subject": ""}, "subject"),
        ({"colour": "red"}, "colour"),
        ({"contract": "x"}, "contract"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(api, contract, desk, payload, field):
    body = {"contract": contract.pk, "type": "fault", "priority": "p2", "subject": "s",
            "channel": "phone", "requester_name": "李四", "requester_phone": "13800000000"}
    body.update(payload)
    response = api.post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_get_and_patch(api, new_ticket, engineer):
    ticket = new_ticket()
    response = api.get(f"/api/v1/tickets/{ticket['id']}/")
    assert response.status_code == 200
    assert response.json()["requester_phone"] == "13812345678"  # members see it, audited
    assert AuditRecord.objects.filter(action="ticket.personal_data.read").exists()
    response = api.patch(
        f"/api/v1/tickets/{ticket['id']}/", {"assignee": engineer.pk, "priority": "p2"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "assigned"
    assert response.json()["priority"] == "p2"


def test_assignee_must_be_on_the_vendor_team(api, new_ticket, liaison, outsider):
    ticket = new_ticket()
    for user in (liaison, outsider):
        response = api.patch(f"/api/v1/tickets/{ticket['id']}/", {"assignee": user.pk}, format="json")
        assert response.status_code == 400
        assert "assignee" in response.json()


def test_assigning_by_transition_tells_the_new_assignee_once(api, new_ticket, engineer):
    ticket = new_ticket()
    url = f"/api/v1/tickets/{ticket['id']}/transition/"
    assert api.post(url, {"to": "assigned", "assignee": engineer.pk}, format="json").status_code == 200
    told = Notification.objects.filter(recipient=engineer, kind="ticket.assigned")
    assert told.count() == 1 and ticket["number"] in told.get().subject
    assert api.post(url, {"to": "in_progress"}, format="json").status_code == 200
    assert told.count() == 1  # moving on is not a new assignment


def test_full_lifecycle_with_history(api, new_ticket, engineer):
    ticket = new_ticket()
    url = f"/api/v1/tickets/{ticket['id']}/transition/"
    steps = [
        {"to": "assigned", "assignee": engineer.pk},
        {"to": "in_progress"},
        {"to": "waiting", "comment": "请提供截图"},
        {"to": "in_progress"},
        {"to": "resolved", "comment": "已重置证书绑定"},
        {"to": "in_progress", "comment": "用户反馈仍无法登录"},
        {"to": "resolved", "comment": "更换 U 盾驱动"},
        {"to": "closed"},
    ]
    for step in steps:
        response = api.post(url, step, format="json")
        assert response.status_code == 200, (step, response.json())
        assert response.json()["status"] == step["to"]
    history = api.get(f"/api/v1/tickets/{ticket['id']}/history/").json()
    moves = [(e["from_status"], e["to_status"]) for e in history if e["kind"] == "transition"]
    assert moves[-1] == ("resolved", "closed")
    assert len(moves) == len(steps) + 1  # creation too


@pytest.mark.parametrize(
    ("to", "expected_field"), [("resolved", "to"), ("closed", "to"), ("teleported", "to")]
)
def test_illegal_transitions_are_refused_clearly(api, new_ticket, to, expected_field):
    ticket = new_ticket()
    response = api.post(f"/api/v1/tickets/{ticket['id']}/transition/", {"to": to}, format="json")
    assert response.status_code == 400
    assert expected_field in response.json()
    assert Ticket.objects.get(pk=ticket["id"]).status == "new"


def test_resolving_needs_a_comment(api, new_ticket, engineer):
    ticket = new_ticket(assignee=engineer.pk)
    url = f"/api/v1/tickets/{ticket['id']}/transition/"
    api.post(url, {"to": "in_progress"}, format="json")
    response = api.post(url, {"to": "resolved"}, format="json")
    assert response.status_code == 400 and "comment" in response.json()


def test_bureau_liaison_opens_and_replies_but_cannot_work_tickets(
    contract, desk, liaison, api_client_for, clock
):
    client = api_client_for(liaison)
    response = client.post(
        "/api/v1/tickets/",
        {"contract": contract.pk, "type": "consultation", "priority": "p3", "subject": "咨询",
         "channel": "portal", "requester_name": "王五", "requester_phone": "13900000000"},
        format="json",
    )
    assert response.status_code == 201
    ticket_id = response.json()["id"]
    assert client.post(f"/api/v1/tickets/{ticket_id}/replies/", {"body": "补充说明"}, format="json").status_code == 201
    response = client.post(f"/api/v1/tickets/{ticket_id}/transition/", {"to": "cancelled"}, format="json")
    assert response.status_code == 403
    response = client.post(f"/api/v1/tickets/{ticket_id}/replies/", {"body": "x", "public": False}, format="json")
    assert response.status_code == 403


def test_tickets_are_isolated(api, new_ticket, outsider, api_client_for, client_for, contract):
    ticket = new_ticket()
    secrets = [ticket["number"], ticket["subject"], contract.number]
    outsider_api = api_client_for(outsider)
    base = f"/api/v1/tickets/{ticket['id']}/"
    assert_isolated(
        outsider_api,
        [base, base + "history/", f"/api/v1/tickets/?contract={contract.pk}", "/api/v1/tickets/"],
        secrets=secrets,
    )
    assert_isolated(outsider_api, [base + "transition/"], secrets=secrets, method="post", data={"to": "cancelled"})
    assert_isolated(outsider_api, [base], secrets=secrets, method="patch", data={"priority": "p4"})
    assert_isolated(outsider_api, [base + "replies/"], secrets=secrets, method="post", data={"body": "hi"})
    response = outsider_api.post(
        "/api/v1/tickets/",
        {"contract": contract.pk, "type": "fault", "priority": "p1", "subject": "x",
         "channel": "phone", "requester_name": "x"},
        format="json",
    )
    assert response.status_code == 404
    web = client_for(outsider)
    assert_isolated(
        web,
        [f"/tickets/{ticket['id']}/", f"/tickets/{ticket['id']}/timers/", "/tickets/",
         "/tickets/?export=csv", "/tickets/?q=统一身份"],
        secrets=secrets,
    )
    assert_isolated(web, [f"/tickets/{ticket['id']}/phone/", f"/tickets/{ticket['id']}/transition/"],
                    secrets=secrets + ["13812345678"], method="post", content_type="application/x-www-form-urlencoded")
    assert Ticket.objects.get(pk=ticket["id"]).status == "new"


def test_auditor_does_not_read_tickets(new_ticket, contract, make_member, api_client_for):
    ticket = new_ticket()
    auditor = make_member(contract, "auditor")
    assert api_client_for(auditor).get(f"/api/v1/tickets/{ticket['id']}/").status_code == 404


def test_arrival_stops_the_arrival_clock(api, new_ticket, clock):
    ticket = new_ticket(needs_onsite=True)
    assert {c["target"] for c in ticket["sla"]} == {"response", "arrival", "resolution"}
    clock.advance(timedelta(minutes=90))
    response = api.post(f"/api/v1/tickets/{ticket['id']}/arrival/", {}, format="json")
    assert response.status_code == 200, response.json()
    arrival = next(c for c in response.json()["sla"] if c["target"] == "arrival")
    assert arrival["state"] == "met"
    assert arrival["remaining_seconds"] == 30 * 60


def test_list_queries_do_not_grow_with_the_page(api, new_ticket, contract, django_assert_max_num_queries):
    for _ in range(20):
        new_ticket()
    with django_assert_max_num_queries(25):
        response = api.get("/api/v1/tickets/", {"contract": contract.pk, "page_size": 20})
    assert len(response.json()["results"]) == 20


def test_arrival_refuses_unknown_fields_and_bad_times_by_name(api, new_ticket, clock):
    ticket = new_ticket(needs_onsite=True)
    response = api.post(f"/api/v1/tickets/{ticket['id']}/arrival/", {"when": "now"}, format="json")
    assert response.status_code == 400 and "when" in response.json()
    response = api.post(f"/api/v1/tickets/{ticket['id']}/arrival/", {"at": "yesterday"}, format="json")
    assert response.status_code == 400 and "at" in response.json()


def test_arrival_at_null_means_now(api, new_ticket, clock):
    ticket = new_ticket(needs_onsite=True)
    clock.advance(timedelta(minutes=90))
    response = api.post(f"/api/v1/tickets/{ticket['id']}/arrival/", {"at": None}, format="json")
    assert response.status_code == 200, response.json()
    arrival = next(c for c in response.json()["sla"] if c["target"] == "arrival")
    assert arrival["state"] == "met" and arrival["remaining_seconds"] == 30 * 60


def test_arrival_before_the_ticket_was_created_is_refused_by_name(api, new_ticket):
    ticket = new_ticket(needs_onsite=True)
    response = api.post(
        f"/api/v1/tickets/{ticket['id']}/arrival/", {"at": "2001-10-25T07:49:21+08:00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["at"] == ["到场时间不能早于工单创建时间。"]
    assert api.get(f"/api/v1/tickets/{ticket['id']}/").json()["arrived_at"] is None


def test_one_ticket_that_is_not_the_callers_answers_as_one_that_does_not_exist(api, new_ticket, outsider,
                                                                                 api_client_for):
    ticket = new_ticket()
    # Only ASCII digits name a ticket: Arabic-Indic ones (which int() would read as the same
    # id) do not reach it, even for its own contract's people.
    arabic_indic = "".join(chr(0x660 + int(d)) for d in str(ticket["id"]))
    assert api.get(f"/api/v1/tickets/{arabic_indic}/").status_code == 404
    outsider_api = api_client_for(outsider)
    answers = {
        # Another contract's, none at all, and beyond any id: the same answer, byte for byte.
        name: outsider_api.get(f"/api/v1/tickets/{pk}/")
        for name, pk in (("other contract", ticket["id"]), ("missing", ticket["id"] + 1000), ("beyond", 2**70))
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert len({r.content for r in answers.values()}) == 1
    assert ticket["subject"].encode() not in answers["other contract"].content


def test_one_ticket_is_read_with_its_clocks_in_target_order(api, new_ticket, monkeypatch):
    from weibao.servicedesk.services import sla

    ticket = new_ticket()
    api.post(f"/api/v1/tickets/{ticket['id']}/transition/", {"to": "in_progress"}, format="json")
    read_by = []
    monkeypatch.setattr(sla, "clocks_of", lambda t, read=sla.clocks_of: read_by.append(t.pk) or read(t))
    read = api.get(f"/api/v1/tickets/{ticket['id']}/")
    assert read_by == [ticket["id"]]  # the ticket page's statement, not the serializer's fallback query
    assert read.status_code == 200
    body = read.json()
    assert [c["target"] for c in body["sla"]] == [c["target"] for c in ticket["sla"]] == ["response", "resolution"]
    assert body["number"] == ticket["number"] and body["contract"] == ticket["contract"]
    assert body["requester_phone"] == "13812345678"  # clear, and audited
    assert AuditRecord.objects.filter(action="ticket.personal_data.read", object_id=str(ticket["id"])).exists()


def test_a_ticket_is_loaded_only_by_an_id_the_one_parser_accepts(new_ticket, pm):
    from django.http import Http404

    from weibao.servicedesk import access

    ticket = new_ticket()
    assert access.ticket_for(pm, str(ticket["id"])).pk == ticket["id"] == access.ticket_for(pm, ticket["id"]).pk
    arabic_indic = "".join(chr(0x660 + int(d)) for d in str(ticket["id"]))
    for odd in (arabic_indic, "1e999", f"{ticket['id']}\x00", "-1", "", None, "9" * 40):
        with pytest.raises(Http404):
            access.ticket_for(pm, odd)
