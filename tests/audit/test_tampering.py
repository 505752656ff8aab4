"""A database writer without the audit key cannot hide what they did (decision 0011): a cut
tail, a rewritten and re-chained past and a back-dated insert are each named by
``weibao audit_verify``; an untouched trail still says "intact"."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from weibao import audit
from weibao.audit import anchors, hashing
from weibao.audit.models import AuditChainHead, AuditRecord
from weibao.audit.services import _hashed_fields, seal_pending
from weibao.core import clock as core_clock

pytestmark = pytest.mark.django_db


def _drop_guards():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_record_no_update")
        else:
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_no_change")


def _trail(contract, n=5):
    return [audit.record("test.event", contract=contract, detail={"i": i}) for i in range(n)]


def _verify(*args):
    out = StringIO()
    call_command("audit_verify", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _rechain_from(seq, *, key=None, rewrite=None):
    """What a database writer does: change a record, then recompute every hash after it
    with what they have (here a guessed key, or the plain unkeyed hash) and move the head."""
    records = list(AuditRecord.objects.sealed().order_by("seq"))
    prev = records[seq - 2].chain_hash if seq > 1 else hashing.GENESIS_HASH
    with connection.cursor() as cursor:
        for entry in records[seq - 1:]:
            if rewrite and entry.seq == seq:
                rewrite(entry)
            if key is None:
                entry.key_id = ""
            content = hashing.content_hash(entry.algorithm, _hashed_fields(entry), key)
            chained = hashing.chain_hash(entry.algorithm, prev, content, key)
            cursor.execute(
                "UPDATE audit_auditrecord SET actor_username = %s, key_id = %s, prev_hash = %s, "
                "content_hash = %s, chain_hash = %s WHERE id = %s",
                [entry.actor_username, entry.key_id, prev, content, chained, entry.pk],
            )
            prev = chained
    AuditChainHead.objects.filter(id=1).update(last_hash=prev)


def test_an_untouched_trail_is_intact_and_checked_against_its_anchors(contract):
    _trail(contract)
    call_command("audit_anchor", stdout=StringIO(), stderr=StringIO())
    _trail(contract, 2)
    out = _verify()
    assert "intact: 7 records" in out
    assert "the latest #5" in out


def test_records_are_keyed_and_sealed_in_time_order(contract, clock):
    first, second = _trail(contract, 2)
    assert first.key_id and first.key_id == second.key_id and first.written_mac
    assert first.sealed_at <= second.sealed_at
    clock.set_now(core_clock.now() - dt.timedelta(seconds=30))  # this host's clock is behind
    third = audit.record("test.event", contract=contract)
    assert third.sealed_at == second.sealed_at  # the seal time never goes back


def test_a_cut_tail_is_found_by_the_anchor(contract):
    records = _trail(contract)
    anchors.write()
    _drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE seq > 3")
    AuditChainHead.objects.filter(id=1).update(last_seq=3, last_hash=records[2].chain_hash)
    with pytest.raises(CommandError, match=r"records after #3 are missing \(the checkpoint of .* saw #5"):
        _verify()


def test_a_cut_tail_is_found_by_the_auditors_own_copy(contract, tmp_path):
    records = _trail(contract)
    kept = tmp_path / "mine.json"
    kept.write_text(anchors.current().as_json())  # downloaded, not in the anchor directory
    _drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE seq > 4")
    AuditChainHead.objects.filter(id=1).update(last_seq=4, last_hash=records[3].chain_hash)
    assert "intact" in _verify()  # the cut is after every anchor the server kept …
    with pytest.raises(CommandError, match="records after #4 are missing"):
        _verify("--anchor", str(kept))  # … but not after the auditor's copy


def test_a_rewritten_and_rechained_record_is_found_without_any_anchor(contract):
    records = _trail(contract)

    def mallory(entry):
        entry.actor_username = "mallory"

    _drop_guards()
    _rechain_from(3, key=b"a guessed key", rewrite=mallory)
    with pytest.raises(CommandError, match=f"#3 \\(id {records[2].pk}\\): content does not match"):
        _verify()


def test_a_rewrite_rechained_with_the_old_unkeyed_hash_is_found(contract):
    _trail(contract)

    def mallory(entry):
        entry.actor_username = "mallory"

    _drop_guards()
    _rechain_from(3, rewrite=mallory)
    with pytest.raises(CommandError, match="#3 .*has no key after the chain was keyed"):
        _verify()


def test_a_whole_trail_rechained_unkeyed_is_found_by_the_anchor(contract):
    _trail(contract)
    anchors.write()

    def mallory(entry):
        entry.actor_username = "mallory"

    _drop_guards()
    _rechain_from(1, rewrite=mallory)
    with pytest.raises(CommandError, match="#5 .*differs from the checkpoint"):
        _verify()


def test_a_backdated_insert_is_found(contract):
    records = _trail(contract)
    genuine = records[-1]
    # A pending row put straight into the table, dated last week, dressed as a genuine
    # one: the sealer chains it like any other, but its writer's MAC cannot be right.
    forged = AuditRecord(
        at=genuine.at - dt.timedelta(days=7), actor_username="pm", action="ticket.export",
        contract_id=contract.pk, algorithm=genuine.algorithm, key_id=genuine.key_id,
        written_mac=genuine.written_mac,
    )
    forged.save()
    seal_pending()
    with pytest.raises(CommandError, match=f"#6 \\(id {forged.pk}\\): was not written by Weibao"):
        _verify()


def test_a_backdated_insert_without_a_key_is_found(contract):
    _trail(contract)
    AuditRecord(at=core_clock.now() - dt.timedelta(days=7), actor_username="pm", action="ticket.export",
                contract_id=contract.pk, algorithm="sm3").save()
    with pytest.raises(CommandError, match="#6 .*has no key after the chain was keyed"):
        _verify()


def test_a_record_dated_long_before_the_previous_seal_is_backdated(contract, clock):
    _trail(contract, 2)
    clock.set_now(core_clock.now() - dt.timedelta(days=2))
    audit.record("test.event", contract=contract)  # written "two days ago", sealed now
    with pytest.raises(CommandError, match="#3 .*back-dated"):
        _verify()


def test_a_transaction_that_took_minutes_is_not_backdating(contract, clock):
    _trail(contract, 2)
    clock.set_now(core_clock.now() - dt.timedelta(minutes=10))
    audit.record("test.event", contract=contract)
    assert "intact" in _verify()


def test_records_sealed_before_the_chain_was_keyed_still_verify(contract):
    # Rows as they were before the upgrade: no key id, no writer's MAC, sealed unkeyed.
    for i in range(3):
        AuditRecord(actor_username="pm", action="test.old", contract_id=contract.pk, algorithm="sm3",
                    detail={"i": i}).save()
    seal_pending()
    old = list(AuditRecord.objects.order_by("seq"))
    assert [r.key_id for r in old] == ["", "", ""] and all(r.sealed_at is None for r in old)
    assert old[0].content_hash == hashing.content_hash("sm3", {
        "seq": 1, "at": old[0].at, "actor_id": None, "actor_username": "pm", "action": "test.old",
        "outcome": "success", "contract_id": contract.pk, "object_type": "", "object_id": "",
        "object_repr": "", "ip": "", "user_agent": "", "request_id": "", "before": None, "after": None,
        "detail": {"i": 0}, "algorithm": "sm3"})  # the hash of decision 0002, unchanged
    _trail(contract, 2)
    assert "intact: 5 records" in _verify()


def test_a_rotated_key_still_verifies_old_records_when_listed(contract, settings):
    _trail(contract, 2)
    old_key = settings.WEIBAO_AUDIT_KEY
    settings.WEIBAO_AUDIT_KEY = "a-brand-new-audit-key-of-at-least-32-characters"
    settings.WEIBAO_AUDIT_KEYS_OLD = [old_key]
    _trail(contract, 2)
    anchors.write()
    assert "intact: 4 records" in _verify()
    settings.WEIBAO_AUDIT_KEYS_OLD = []
    with pytest.raises(CommandError, match="#1 .*not configured"):
        _verify()


def test_a_forged_anchor_is_refused(contract, anchor_dir):
    _trail(contract)
    anchor, path = anchors.write()
    data = json.loads(path.read_text())
    data["seq"] = 2
    forged = anchor_dir / "anchor-forged.json"
    forged.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="not a genuine anchor"):
        _verify()
