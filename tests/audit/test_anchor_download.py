"""The platform audit administrator downloads a signed checkpoint of the chain, keeps it,
and later gives it back to ``weibao audit_verify --anchor``: records cut after it show."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from weibao import audit
from weibao.audit.models import AuditChainHead, AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_admin(db):
    from weibao.accounts.services.roles import grant_admin_role
    from weibao.testing.factories import UserFactory

    admin = UserFactory(username="audit_admin")
    grant_admin_role(admin, "auditor", by=None)
    return admin


def test_the_audit_admin_downloads_a_checkpoint_that_later_shows_a_cut_tail(audit_admin, client_for, contract,
                                                                            tmp_path):
    for i in range(3):
        audit.record("test.event", contract=contract, detail={"i": i})
    client = client_for(audit_admin)
    assert 'id="anchor-download"' in client.get("/audit/").content.decode()
    response = client.get("/audit/anchor/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="weibao-audit-anchor-')
    download = AuditRecord.objects.get(action="audit.anchor.download")
    assert download.actor == audit_admin
    kept = tmp_path / "kept.json"
    kept.write_bytes(response.content)
    call_command("audit_verify", "--anchor", str(kept), stdout=StringIO(), stderr=StringIO())

    # Later, a database writer cuts the newest record (the download itself) and rewinds.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_no_change")
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [download.pk])
    before = AuditRecord.objects.get(seq=download.seq - 1)
    AuditChainHead.objects.filter(id=1).update(last_seq=before.seq, last_hash=before.chain_hash)
    call_command("audit_verify", stdout=StringIO(), stderr=StringIO())  # nothing kept on the server saw it
    with pytest.raises(CommandError, match=f"records after #{before.seq} are missing"):
        call_command("audit_verify", "--anchor", str(kept), stdout=StringIO(), stderr=StringIO())


def test_only_the_platform_audit_admin_downloads_checkpoints(client_for, contract_auditor, pm):
    for user in (contract_auditor, pm):
        assert client_for(user).get("/audit/anchor/").status_code == 403
    assert not AuditRecord.objects.filter(action="audit.anchor.download").exists()



def test_no_checkpoint_vouches_for_a_head_that_disagrees_with_the_records(contract, anchor_dir):
    from weibao.audit import anchors
    from weibao.audit.tasks import write_audit_anchor

    audit.record("test.event", contract=contract)
    AuditChainHead.objects.filter(id=1).update(last_hash="f" * 64)
    with pytest.raises(anchors.BadAnchor, match="does not match its newest record"):
        anchors.write()
    assert write_audit_anchor.call_local() is None  # the hourly task logs it and writes nothing
    assert not anchor_dir.exists() or not list(anchor_dir.iterdir())


def test_the_hourly_task_keeps_a_read_only_anchor_file(contract, anchor_dir):
    from weibao.audit.tasks import write_audit_anchor

    audit.record("test.event", contract=contract)
    assert write_audit_anchor.call_local() == 1
    [kept] = anchor_dir.iterdir()
    assert kept.stat().st_mode & 0o222 == 0  # nobody may rewrite it
    assert '"seq": 1' in kept.read_text()
