"""The chain is keyed (decision 0011): each record keeps its key id, the writer's MAC and
its seal time. Records sealed before keep empty values and verify with their plain hashes;
nothing is rewritten.

The triggers allow the seal time to be written with the rest of a pending record's place
in the chain; the key id and the writer's MAC are unchangeable like the other columns.
"""

from django.db import migrations, models

UNCHANGEABLE = (
    "id", "at", "actor_id", "actor_username", "action", "outcome", "contract_id", "object_type",
    "object_id", "object_repr", "ip", "user_agent", "request_id", "before", "after", "detail",
    "algorithm", "key_id", "written_mac",
)
SEAL_COLUMNS = ("seq", "prev_hash", "content_hash", "chain_hash", "sealed_at")
OLD_UNCHANGEABLE = UNCHANGEABLE[:-2]
OLD_SEAL_COLUMNS = SEAL_COLUMNS[:-1]


def _sqlite(unchangeable):
    return [
        "DROP TRIGGER IF EXISTS audit_record_no_update;",
        "CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord "
        "WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR "
        + " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in unchangeable)
        + " BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
    ]


def _postgres(seal_columns):
    without_seal = "".join(f" - '{c}'" for c in seal_columns)
    return [
        f"""CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
                AND (to_jsonb(NEW){without_seal}) = (to_jsonb(OLD){without_seal}) THEN
               RETURN NEW;
             END IF;
             RAISE EXCEPTION 'audit records are append-only';
           END; $$ LANGUAGE plpgsql;""",
    ]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_sealed_after_commit'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditchainhead',
            name='last_sealed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='sealed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='written_mac',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.RunPython(
            _run({"sqlite": _sqlite(UNCHANGEABLE), "postgresql": _postgres(SEAL_COLUMNS)}),
            _run({"sqlite": _sqlite(OLD_UNCHANGEABLE), "postgresql": _postgres(OLD_SEAL_COLUMNS)}),
        ),
    ]
