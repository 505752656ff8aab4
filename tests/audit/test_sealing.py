"""Records are written without the chain lock and sealed into the chain after commit
(decision 0009): nothing is lost, the chain stays gap-free, and a slow transaction that
audits something no longer makes every other audited request wait for it."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from weibao import audit
from weibao.audit.models import AuditChainHead, AuditRecord, ChainError, Seal
from weibao.audit.services import seal_pending
from weibao.audit.tasks import seal_pending_records

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def after_commit(settings):
    settings.WEIBAO_AUDIT_SEALING = "after_commit"


def _seqs():
    return list(AuditRecord.objects.order_by("id").values_list("seq", flat=True))


def test_a_record_is_sealed_when_its_transaction_commits(after_commit, contract):
    with transaction.atomic():
        entry = audit.record("test.event", contract=contract, detail={"n": 1})
        assert AuditRecord.objects.get(pk=entry.pk).seq is None  # pending inside the transaction
        audit.record("test.event", contract=contract, detail={"n": 2})
    assert _seqs() == [1, 2]
    assert AuditChainHead.objects.get().last_seq == 2
    call_command("audit_verify")


def test_a_rolled_back_action_leaves_no_record_and_no_gap(after_commit, contract):
    audit.record("test.event", contract=contract)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.event", contract=contract, detail={"lost": True})
        raise RuntimeError("the action failed")
    audit.record("test.event", contract=contract)
    assert _seqs() == [1, 2]
    assert not AuditRecord.objects.filter(detail__lost=True).exists()
    call_command("audit_verify")


def test_an_api_request_seals_its_records_before_the_answer(after_commit, contract, pm):
    response = APIClient().post("/api/v1/auth/token/", {"username": "pm", "password": "Weibao@2026"},
                                format="json")
    assert response.status_code == 201
    created = AuditRecord.objects.get(action="api_token.created")
    assert created.seq is not None and created.chain_hash


def test_a_seal_that_fails_after_commit_does_not_fail_the_answer(after_commit, contract, pm, monkeypatch):
    from django.db import OperationalError

    from weibao.audit import services

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "seal_pending", database_gone)
    response = APIClient().post("/api/v1/auth/token/", {"username": "pm", "password": "Weibao@2026"},
                                format="json")
    # The token was created and committed: answering 5xx would make the client do it again.
    assert response.status_code == 201
    assert AuditRecord.objects.get(action="api_token.created").seq is None
    monkeypatch.undo()
    assert seal_pending_records.call_local() >= 1
    assert AuditRecord.objects.get(action="api_token.created").seq is not None


def test_records_left_pending_by_a_dead_writer_are_sealed_by_the_scheduler(contract):
    # A writer that died between its commit and the seal leaves rows like these.
    for n in range(3):
        AuditRecord(action="test.event", contract=contract, detail={"n": n}, algorithm="sm3").save()
    assert _seqs() == [None, None, None]
    assert seal_pending_records.call_local() == 3
    assert _seqs() == [1, 2, 3]
    call_command("audit_verify")


def test_a_batch_is_sealed_by_the_same_statements_however_many_records(contract):
    def write(count):
        for n in range(count):
            AuditRecord(action="test.event", contract=contract, detail={"n": n}, algorithm="sm3").save()

    write(1)
    seal_pending()  # the first seal ever creates the chain's head
    statements = {}
    for count in (1, 40):
        write(count)
        with CaptureQueriesContext(connection) as seen:
            assert seal_pending() == count
        statements[count] = len(seen)
    assert statements[1] == statements[40], statements
    assert _seqs() == list(range(1, 43))
    call_command("audit_verify")


def test_a_seal_refuses_a_record_another_sealer_sealed_and_leaves_the_chain_as_it_was(contract):
    AuditRecord(action="test.event", contract=contract, algorithm="sm3").save()
    seal_pending()
    head = AuditChainHead.objects.get()
    (record,) = AuditRecord.objects.all()
    again = Seal(record.pk, head.last_seq + 1, head.last_hash, record.content_hash, record.chain_hash, None)
    with pytest.raises(ChainError), transaction.atomic():
        AuditRecord.objects.seal([again], head=(head.last_seq + 1, "f" * 64, None))
    assert AuditChainHead.objects.get().last_seq == head.last_seq == 1
    call_command("audit_verify")


def test_the_auditors_page_shows_committed_records_in_the_chain(after_commit, contract, client_for,
                                                                contract_auditor):
    AuditRecord(action="sla.policy.update", contract=contract, object_repr="故障 P1", algorithm="sm3").save()
    page = client_for(contract_auditor).get("/audit/").content.decode()
    assert "故障 P1" in page
    assert AuditRecord.objects.get(action="sla.policy.update").seq is not None


def test_the_database_allows_sealing_once_and_no_other_change(contract):
    pending = AuditRecord(action="test.event", contract=contract, algorithm="sm3")
    pending.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET actor_username = 'mallory' WHERE id = %s", [pending.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET seq = 7, actor_username = 'mallory' WHERE id = %s",
                       [pending.pk])
    assert seal_pending() == 1
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET seq = 99 WHERE id = %s", [pending.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET chain_hash = 'x' WHERE id = %s", [pending.pk])
    call_command("audit_verify")


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite has one writer at a time whatever the application does")
def test_an_open_transaction_that_audited_does_not_hold_up_other_writers(after_commit, contract):
    recorded, release = threading.Event(), threading.Event()

    def slow_request():
        try:
            with transaction.atomic():
                audit.record("test.slow", contract=contract)
                recorded.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_request)
    slow.start()
    try:
        assert recorded.wait(timeout=10)
        started = time.monotonic()
        with transaction.atomic():
            audit.record("test.quick", contract=contract)
        waited = time.monotonic() - started
    finally:
        release.set()
        slow.join(timeout=30)
    # Before decision 0009 the quick writer waited for the slow one's commit (30 s here).
    assert waited < 5
    assert AuditRecord.objects.get(action="test.quick").seq == 1
    assert AuditRecord.objects.get(action="test.slow").seq == 2
    call_command("audit_verify")


def _synchronous_commit_while_sealing(durable: bool) -> list[str]:
    """``synchronous_commit`` as the seal's transaction sees it right after locking the head."""
    seen = []

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'FROM "audit_auditchainhead"' in sql and "FOR UPDATE" in sql:
            with context["connection"].connection.cursor() as cursor:  # not through the wrapper
                cursor.execute("SHOW synchronous_commit")
                seen.append(cursor.fetchone()[0])
        return result

    with connection.execute_wrapper(watch):
        seal_pending(durable=durable)
    return seen


@pytest.fixture
def production_commits():
    """PostgreSQL's default, durable commits, for this connection: the suite's own commit
    without waiting for the disk (tests/conftest.py), and the test checks what the seal
    does to the default."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = on")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="synchronous_commit is PostgreSQL's")
def test_the_seal_after_a_request_relaxes_only_its_own_commit(contract, production_commits):
    audit.record("test.first", contract=contract)  # the head exists from here on
    audit.record("test.event", contract=contract)
    assert _synchronous_commit_while_sealing(durable=False) == ["off"]
    with connection.cursor() as cursor:  # SET LOCAL: gone with the seal's transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    audit.record("test.event", contract=contract)
    assert _synchronous_commit_while_sealing(durable=True) == ["on"]  # the scheduler's, the readers'
    assert _seqs() == [1, 2, 3]
