"""SQLite's counterpart of 0003's trigram index: the ticket subjects in an FTS5 table with
the trigram tokenizer (SQLite 3.34 and later), kept by triggers, which a keyword of three
characters or more is looked up in (``servicedesk.queries.subject_contains``) instead of a
``LIKE '%…%'`` over every subject. At 100,000 tickets the list's capped count for
"打印机" fell from 77 ms to 4.7 (bench/peer_compare.py's data). PostgreSQL keeps 0003's
GIN index and gets none of this."""

from django.db import migrations

TABLE = "servicedesk_ticket_subject_search"
CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "subject, content='servicedesk_ticket', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON servicedesk_ticket BEGIN "
    f"INSERT INTO {TABLE}(rowid, subject) VALUES (new.id, new.subject); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON servicedesk_ticket BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, subject) VALUES ('delete', old.id, old.subject); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF subject ON servicedesk_ticket BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, subject) VALUES ('delete', old.id, old.subject); "
    f"INSERT INTO {TABLE}(rowid, subject) VALUES (new.id, new.subject); END",
    # The tickets already there.
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{event}" for event in ("insert", "delete", "update")] + [
    f"DROP TABLE IF EXISTS {TABLE}"
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0013_sqlite_filter_count_covers")]
    operations = [migrations.RunPython(forwards, backwards)]
