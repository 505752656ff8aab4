"""Requester phones are stored as digits, whichever channel wrote them, so every lookup
by phone (portal follow-up, hotline caller history, list search) finds the ticket."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from weibao.audit.models import AuditRecord
from weibao.servicedesk.models import Ticket


def _apps_before_encryption():
    # Migration 0006 ran before 0011 encrypted the phones: it is run as the models were then
    # (clear text columns), and the live model still reads what it wrote.
    loader = MigrationLoader(connection)
    return loader.project_state(("servicedesk", "0009_ticket_submission_key"), at_end=True).apps


@pytest.fixture
def web(pm, client_for):
    return client_for(pm)


def test_a_ticket_opened_with_a_formatted_phone_stores_its_digits(new_ticket, web):
    ticket = new_ticket(requester_phone="139 1234-5678")
    assert Ticket.objects.get(pk=ticket["id"]).requester_phone == "13912345678"
    assert ticket["subject"] in web.get("/tickets/", {"q": "139-1234-5678"}).content.decode()


def test_the_new_ticket_form_stores_digits(web, desk, contract):
    response = web.post("/tickets/new/", {
        "type": "fault", "priority": "p3", "channel": "phone", "subject": "窗口叫号机无法出票",
        "requester_name": "赵六", "requester_phone": "+86 (0375) 123-4567",
    })
    assert response.status_code == 302
    assert Ticket.objects.get().requester_phone == "03751234567"


def test_editing_the_phone_stores_digits_and_is_audited(api, new_ticket):
    ticket = new_ticket()
    response = api.patch(f"/api/v1/tickets/{ticket['id']}/", {"requester_phone": "0375-1234567"}, format="json")
    assert response.status_code == 200, response.json()
    assert Ticket.objects.get(pk=ticket["id"]).requester_phone == "03751234567"
    record = AuditRecord.objects.get(action="ticket.personal_data.change")
    assert record.after["requester_phone"] != "0375-1234567"  # masked in the trail


def test_a_phone_without_any_digit_is_refused_by_name(api, contract, desk):
    response = api.post("/api/v1/tickets/", {
        "contract": contract.pk, "type": "fault", "subject": "s", "requester_name": "李四", "requester_phone": "无",
    }, format="json")
    assert response.status_code == 400
    assert "requester_phone" in response.json()


def test_the_migration_normalises_phones_already_stored(new_ticket):
    typed = new_ticket()
    clean = new_ticket()
    old = _apps_before_encryption()
    old.get_model("servicedesk", "Ticket").objects.filter(pk=typed["id"]).update(requester_phone="139-1234-5678")
    old.get_model("servicedesk", "Ticket").objects.filter(pk=clean["id"]).update(requester_phone="13812345678")
    migration = importlib.import_module("weibao.servicedesk.migrations.0006_normalise_requester_phones")
    migration.normalise_stored(old, None)
    assert Ticket.objects.get(pk=typed["id"]).requester_phone == "13912345678"
    assert Ticket.objects.get(pk=clean["id"]).requester_phone == "13812345678"


@pytest.mark.parametrize("typed", ["+86 139-1234-5678", "0086 13912345678", "8613912345678", "139 1234 5678"])
def test_the_country_code_before_a_mobile_number_is_not_part_of_it(typed):
    from weibao.servicedesk.services import tickets

    assert tickets.normalise_phone(typed) == "13912345678"


def test_landlines_keep_their_area_code_and_odd_digits_are_not_digits():
    from weibao.servicedesk.services import tickets

    assert tickets.normalise_phone("0371-6688 1234") == "037166881234"
    assert tickets.normalise_phone("+86 (0375) 123-4567") == "03751234567"
    assert tickets.normalise_phone("+86 375 1234567") == "03751234567"  # the trunk 0 dropped abroad
    assert tickets.normalise_phone("8612345") == "8612345"  # too short for a number with a country code
    assert tickets.normalise_phone("139²1234") == "1391234"


def test_searching_the_list_with_a_country_code_finds_the_caller(new_ticket, web):
    ticket = new_ticket(requester_phone="13912345678")
    for typed in ("+86 139-1234-5678", "0086 139 1234 5678", "139 1234 5678"):
        assert ticket["subject"] in web.get("/tickets/", {"q": typed}).content.decode(), typed


def test_the_migration_drops_country_codes_stored_before(new_ticket):
    mobile, landline, clean = new_ticket(), new_ticket(), new_ticket()
    old = _apps_before_encryption()
    old.get_model("servicedesk", "Ticket").objects.filter(pk=mobile["id"]).update(requester_phone="8613912345678")
    old.get_model("servicedesk", "Ticket").objects.filter(pk=landline["id"]).update(
        requester_phone="+86 (0375) 123-4567"
    )
    old.get_model("servicedesk", "Ticket").objects.filter(pk=clean["id"]).update(requester_phone="13812345678")
    migration = importlib.import_module("weibao.servicedesk.migrations.0006_normalise_requester_phones")
    migration.normalise_stored(old, None)
    assert Ticket.objects.get(pk=mobile["id"]).requester_phone == "13912345678"
    assert Ticket.objects.get(pk=landline["id"]).requester_phone == "03751234567"
    assert Ticket.objects.get(pk=clean["id"]).requester_phone == "13812345678"
