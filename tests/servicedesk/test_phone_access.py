"""Who sees a requester's clear phone is one rule (the vendor team and the bureau liaison,
who call back), the same on the ticket page, the API and exports; every clear phone that
leaves the server is audited. The bureau viewer and the auditor never get one."""

from __future__ import annotations

import pytest

from weibao.audit.models import AuditRecord
from weibao.contracts.roles import ContractRole

CLEAR, MASKED = "13812345678", "138****5678"
MAY_REVEAL = {
    ContractRole.HOTLINE_AGENT, ContractRole.RESIDENT_ENGINEER, ContractRole.ONCALL_ENGINEER,
    ContractRole.PROJECT_MANAGER, ContractRole.BUREAU_LIAISON,
}
ROLES = [role.value for role in ContractRole]


@pytest.fixture
def member(request, contract, make_member):
    return make_member(contract, request.param, username=f"as_{request.param}")


def _reads(user) -> int:
    return AuditRecord.objects.filter(action="ticket.personal_data.read", actor_id=user.pk).count()


@pytest.mark.parametrize("member", ROLES, indirect=True)
def test_the_ticket_page_offers_and_reveals_the_phone_only_to_those_who_call_back(
    member, new_ticket, client_for
):
    ticket = new_ticket()
    web = client_for(member)
    page = web.get(f"/tickets/{ticket['id']}/")
    reveal = web.post(f"/tickets/{ticket['id']}/phone/", {"reason": "回访"})
    if member.memberships.get().role in MAY_REVEAL:
        assert page.status_code == 200 and f"/tickets/{ticket['id']}/phone/" in page.content.decode()
        assert reveal.status_code == 200 and CLEAR in reveal.content.decode()
        assert _reads(member) == 1
    else:
        assert f"/tickets/{ticket['id']}/phone/" not in page.content.decode()
        assert reveal.status_code in (403, 404) and CLEAR not in reveal.content.decode()
        assert _reads(member) == 0
    assert CLEAR not in page.content.decode()


@pytest.mark.parametrize("member", ROLES, indirect=True)
def test_the_api_gives_a_clear_phone_by_the_same_rule_and_audits_it(member, new_ticket, api_client_for):
    ticket = new_ticket()
    api = api_client_for(member)
    detail = api.get(f"/api/v1/tickets/{ticket['id']}/")
    if member.memberships.get().role in MAY_REVEAL:
        assert detail.json()["requester_phone"] == CLEAR
        assert _reads(member) == 1
    elif detail.status_code == 200:
        assert detail.json()["requester_phone"] == MASKED
        assert _reads(member) == 0
    else:
        assert detail.status_code == 404  # the auditor reads the trail, not tickets
    assert CLEAR not in detail.content.decode() or member.memberships.get().role in MAY_REVEAL


@pytest.mark.parametrize("member", ROLES, indirect=True)
def test_lists_and_exports_mask_the_phone_for_every_role(member, new_ticket, contract, api_client_for, client_for):
    new_ticket()
    listed = api_client_for(member).get("/api/v1/tickets/", {"contract": contract.pk})
    assert CLEAR not in listed.content.decode()
    for row in listed.json().get("results", []):
        assert row["requester_phone"] == MASKED
    exported = client_for(member).get("/tickets/", {"export": "csv", "contract": contract.pk})
    body = b"".join(exported.streaming_content).decode() if exported.streaming else exported.content.decode()
    assert CLEAR not in body
    assert _reads(member) == 0


def test_write_answers_of_the_api_do_not_carry_a_clear_phone_unaudited(api, new_ticket, pm, engineer):
    ticket = new_ticket()
    assert ticket["requester_phone"] == MASKED
    changed = api.patch(f"/api/v1/tickets/{ticket['id']}/", {"assignee": engineer.pk}, format="json")
    assert changed.json()["requester_phone"] == MASKED
    assert _reads(pm) == 0


@pytest.mark.parametrize("member", ROLES, indirect=True)
def test_a_changed_phone_is_masked_in_the_ticket_history(member, api, new_ticket, api_client_for, client_for):
    ticket = new_ticket()
    api.patch(f"/api/v1/tickets/{ticket['id']}/", {"requester_phone": "13987654321"}, format="json")
    history = api_client_for(member).get(f"/api/v1/tickets/{ticket['id']}/history/")
    page = client_for(member).get(f"/tickets/{ticket['id']}/")
    for answer in (history, page):
        assert CLEAR not in answer.content.decode() and "13987654321" not in answer.content.decode()
    if history.status_code == 200:
        changes = [entry["changes"] for entry in history.json() if entry["changes"]]
        assert changes == [{"requester_phone": [MASKED, "139****4321"]}]


def test_the_migration_masks_phones_already_in_the_history(api, new_ticket):
    import importlib

    from django.apps import apps

    from weibao.servicedesk.models import TicketEntry

    ticket = new_ticket()
    api.patch(f"/api/v1/tickets/{ticket['id']}/", {"requester_phone": "13987654321"}, format="json")
    entry = TicketEntry.objects.get(ticket_id=ticket["id"], kind="change")
    TicketEntry.objects.filter(pk=entry.pk).update(changes={"requester_phone": [CLEAR, "13987654321"],
                                                            "priority": ["p1", "p2"]})
    migration = importlib.import_module("weibao.servicedesk.migrations.0008_mask_phones_in_ticket_history")
    migration.mask_stored(apps, None)
    migration.mask_stored(apps, None)  # twice: a masked value stays as it is
    entry.refresh_from_db()
    assert entry.changes == {"requester_phone": [MASKED, "139****4321"], "priority": ["p1", "p2"]}
