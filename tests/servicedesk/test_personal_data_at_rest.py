"""Requesters' personal data is unreadable in the database without WEIBAO_DATA_KEY, still
found by exact phone and name, and rewritten under a new key by ``rotate_data_key``
(issue 17, decision 0026)."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from weibao.audit.models import AuditRecord
from weibao.core import data_key_rotation
from weibao.core.encrypted_fields import PREFIX, _derive, key_id_of
from weibao.hotline import services as hotline
from weibao.servicedesk.models import Ticket

KEY_A = "key-A-" + "a" * 40
KEY_B = "key-B-" + "b" * 40
PHONE, NAME, EMAIL = "13912345678", "欧阳娜娜", "ouyang@example.com"


def _stored(pk: int) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "select requester_phone, requester_name, requester_email, requester_phone_hash "
            "from servicedesk_ticket where id = %s", [pk],
        )
        return cursor.fetchone()


@pytest.fixture
def ticket(new_ticket):
    return new_ticket(requester_phone="139-1234-5678", requester_name=NAME, requester_email=EMAIL)


def test_a_database_read_shows_no_clear_phone_name_or_email(ticket):
    phone, name, email, phone_hash = _stored(ticket["id"])
    for stored, clear in ((phone, PHONE), (name, NAME), (email, EMAIL)):
        assert stored.startswith(PREFIX)
        assert clear not in stored
    assert PHONE not in phone_hash and len(phone_hash) == 64
    # The application reads them in clear.
    saved = Ticket.objects.get(pk=ticket["id"])
    assert (saved.requester_phone, saved.requester_name, saved.requester_email) == (PHONE, NAME, EMAIL)


def test_the_exact_phone_and_the_exact_name_find_the_ticket(ticket, api):
    for typed in (PHONE, "+86 139 1234 5678", NAME):
        found = api.get("/api/v1/tickets/", {"q": typed}).json()
        assert [t["id"] for t in found["results"]] == [ticket["id"]], typed
    # Ciphertext cannot be searched for a part: a partial name or number finds nothing.
    assert api.get("/api/v1/tickets/", {"q": "欧阳"}).json()["count"] == 0


def test_the_hotline_finds_the_callers_history_by_the_hash(ticket, contract, pm):
    assert [t.pk for t in hotline.caller_history(contract, "139 1234 5678", by=pm)] == [ticket["id"]]
    assert hotline.caller_history(contract, "13900000000", by=pm) == []


def test_a_member_of_another_contract_finds_nothing_by_phone_or_name(ticket, outsider, api_client_for):
    other = api_client_for(outsider)
    for typed in (PHONE, NAME):
        assert other.get("/api/v1/tickets/", {"q": typed}).json()["count"] == 0


def test_saving_only_the_phone_keeps_its_hash_in_step(ticket, api):
    saved = Ticket.objects.get(pk=ticket["id"])
    saved.requester_phone = "13800000000"
    saved.save(update_fields=["requester_phone"])
    assert api.get("/api/v1/tickets/", {"q": "13800000000"}).json()["count"] == 1
    assert api.get("/api/v1/tickets/", {"q": PHONE}).json()["count"] == 0


def test_rotation_rewrites_everything_under_the_new_key(settings, new_ticket, api):
    settings.WEIBAO_DATA_KEY = KEY_A
    first = new_ticket(requester_phone=PHONE, requester_name=NAME, requester_email=EMAIL)
    second = new_ticket(requester_phone="13700000000", requester_name="李四")
    key_a, key_b = _derive(KEY_A).key_id, _derive(KEY_B).key_id
    assert {key_id_of(v) for v in _stored(first["id"])[:3]} == {key_a}

    settings.WEIBAO_DATA_KEY, settings.WEIBAO_DATA_KEYS_OLD = KEY_B, [KEY_A]
    # Before the rotation has run, everything is readable and still found.
    assert Ticket.objects.get(pk=first["id"]).requester_phone == PHONE
    assert api.get("/api/v1/tickets/", {"q": PHONE}).json()["count"] == 1

    out = StringIO()
    call_command("rotate_data_key", batch_size=1, stdout=out)
    assert "servicedesk.ticket: 2 row(s) to rewrite" in out.getvalue()
    assert "servicedesk.ticket: 1 rewritten, 1 to go" in out.getvalue()
    for pk in (first["id"], second["id"]):
        assert {key_id_of(v) for v in _stored(pk)[:3] if v} == {key_b}
    saved = Ticket.objects.get(pk=first["id"])
    assert (saved.requester_phone, saved.requester_name, saved.requester_email) == (PHONE, NAME, EMAIL)

    # The old key can go: everything reads and is found under the new one alone.
    settings.WEIBAO_DATA_KEYS_OLD = []
    assert Ticket.objects.get(pk=second["id"]).requester_name == "李四"
    assert api.get("/api/v1/tickets/", {"q": PHONE}).json()["count"] == 1
    assert api.get("/api/v1/tickets/", {"q": "李四"}).json()["count"] == 1

    audited = AuditRecord.objects.get(action="personal_data.key_rotated")
    assert audited.detail["rows"]["servicedesk.ticket"] == 2
    assert PHONE not in str(audited.detail) and NAME not in str(audited.detail)


def test_an_interrupted_rotation_resumes_where_it_stopped(settings, new_ticket):
    settings.WEIBAO_DATA_KEY = KEY_A
    pks = [new_ticket(requester_phone=f"1391234567{i}")["id"] for i in range(3)]
    settings.WEIBAO_DATA_KEY, settings.WEIBAO_DATA_KEYS_OLD = KEY_B, [KEY_A]

    def stop(step):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        data_key_rotation.rotate_model(Ticket, batch_size=1, progress=stop)
    assert data_key_rotation.stale_count(Ticket) == 2
    assert data_key_rotation.rotate_model(Ticket, batch_size=1) == 2
    assert data_key_rotation.stale_count(Ticket) == 0
    assert [Ticket.objects.get(pk=pk).requester_phone for pk in pks] == [f"1391234567{i}" for i in range(3)]


def test_the_migration_encrypts_rows_stored_in_clear_and_back(ticket, api):
    old = MigrationLoader(connection).project_state(("servicedesk", "0009_ticket_submission_key"), at_end=True).apps
    old.get_model("servicedesk", "Ticket").objects.filter(pk=ticket["id"]).update(
        requester_phone=PHONE, requester_name=NAME, requester_email=EMAIL, )
    Ticket.objects.filter(pk=ticket["id"]).update(requester_phone_hash="")
    assert _stored(ticket["id"])[:3] == (PHONE, NAME, EMAIL)
    migration = importlib.import_module("weibao.servicedesk.migrations.0011_encrypt_existing_requesters")

    migration.encrypt_rows(apps, None)
    assert all(value.startswith(PREFIX) for value in _stored(ticket["id"])[:3])
    assert api.get("/api/v1/tickets/", {"q": PHONE}).json()["count"] == 1

    migration.decrypt_rows(apps, None)
    assert _stored(ticket["id"]) == (PHONE, NAME, EMAIL, "")
