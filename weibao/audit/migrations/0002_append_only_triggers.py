"""Database triggers that refuse UPDATE and DELETE on the audit trail.

The application already refuses; the triggers stop a stray SQL statement too. On SQLite
only UPDATE is refused by trigger: the test runner and ``flush`` empty tables with
DELETE there (PostgreSQL uses TRUNCATE, which row triggers do not see), and a deleted
record is still detected by the chain. Anyone
with the rights to drop the triggers can still tamper — that is what the hash chain
and ``weibao audit_verify`` detect.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON audit_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_record_no_update;",
    "DROP TRIGGER IF EXISTS audit_record_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON audit_auditrecord
       FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_record_no_change ON audit_auditrecord;",
    "DROP FUNCTION IF EXISTS audit_record_append_only();",
]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
