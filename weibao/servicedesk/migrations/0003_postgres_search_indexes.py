"""PostgreSQL-only indexes for keyword search over a million tickets: trigram GIN on the
subject (for icontains, which Django renders as UPPER(subject::text) LIKE UPPER(%s)) and
a pattern-ops index for ticket-number prefixes. SQLite needs neither and gets neither."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON servicedesk_ticket "
    "USING gin ((UPPER(subject::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ticket_number_prefix ON servicedesk_ticket "
    "(number varchar_pattern_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS ticket_number_prefix",
    "DROP INDEX IF EXISTS ticket_subject_trgm",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0002_list_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
