import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from weibao import audit
from weibao.audit.models import AppendOnlyError, AuditRecord

pytestmark = pytest.mark.django_db


def _drop_guards():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_record_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_record_no_delete")
        else:
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_no_change")


def test_records_chain_and_verify(contract):
    for i in range(5):
        audit.record("test.event", contract=contract, detail={"i": i})
    call_command("audit_verify")
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_record_sealed_at_once_carries_its_place_in_the_chain_as_stored(contract):
    first = audit.record("test.event", contract=contract, detail={"i": 1})
    second = audit.record("test.event", contract=contract, detail={"i": 2})
    fields = ("seq", "prev_hash", "content_hash", "chain_hash", "sealed_at")
    for entry in (first, second):
        stored = AuditRecord.objects.get(pk=entry.pk)
        assert [getattr(entry, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert second.seq == first.seq + 1 and second.prev_hash == first.chain_hash


def test_tampering_with_a_row_is_detected_naming_it(contract):
    records = [audit.record("test.event", contract=contract, detail={"i": i}) for i in range(5)]
    target = records[2]
    _drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET actor_username = 'mallory' WHERE id = %s", [target.pk])
    with pytest.raises(CommandError, match=f"#{target.seq}"):
        call_command("audit_verify")


def test_deleting_a_row_is_detected(contract):
    records = [audit.record("test.event", contract=contract) for _ in range(4)]
    _drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [records[1].pk])
    with pytest.raises(CommandError, match=f"#{records[1].seq}"):
        call_command("audit_verify")


def test_application_refuses_to_change_or_delete(contract):
    entry = audit.record("test.event", contract=contract)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()


def test_database_refuses_direct_update(contract):
    entry = audit.record("test.event", contract=contract)
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditrecord SET ip = 'x' WHERE id = %s", [entry.pk])


@pytest.mark.parametrize("algorithm", ["sm3", "sha256"])
def test_both_hash_algorithms_verify(settings, contract, algorithm):
    settings.WEIBAO_AUDIT_HASH = algorithm
    entry = audit.record("test.event", contract=contract)
    assert entry.algorithm == algorithm
    call_command("audit_verify")
