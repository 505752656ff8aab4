"""Audit records are written without the chain lock and sealed into the chain after commit."""

from django.conf import settings
from django.db import migrations, models


# The triggers now allow exactly one change: sealing a pending record (seq still NULL)
# by writing its place in the chain, with every other column unchanged. A sealed record
# can no longer change at all, and nothing can be deleted (PostgreSQL).
UNCHANGEABLE = (
    "id", "at", "actor_id", "actor_username", "action", "outcome", "contract_id", "object_type",
    "object_id", "object_repr", "ip", "user_agent", "request_id", "before", "after", "detail",
    "algorithm",
)
SEAL_COLUMNS = ("seq", "prev_hash", "content_hash", "chain_hash")

SQLITE = [
    "DROP TRIGGER IF EXISTS audit_record_no_update;",
    "CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord "
    "WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR "
    + " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in UNCHANGEABLE)
    + " BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS audit_record_no_update;",
    """CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
]
_WITHOUT_SEAL = "".join(f" - '{c}'" for c in SEAL_COLUMNS)
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
            AND (to_jsonb(NEW){_WITHOUT_SEAL}) = (to_jsonb(OLD){_WITHOUT_SEAL}) THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit records are append-only';
       END; $$ LANGUAGE plpgsql;""",
]
POSTGRES_BACK = [
    """CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql;""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run



class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
        ('contracts', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditrecord',
            name='chain_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AlterField(
            model_name='auditrecord',
            name='content_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AlterField(
            model_name='auditrecord',
            name='prev_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AlterField(
            model_name='auditrecord',
            name='seq',
            field=models.BigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name='auditrecord',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='audit_pending_idx'),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_BACK, "postgresql": POSTGRES_BACK}),
        ),
    ]
