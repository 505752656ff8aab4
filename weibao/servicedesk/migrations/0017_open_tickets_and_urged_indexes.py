"""Two partial indexes for the home page's service-desk panel, which read every ticket of
the contract: at 100,000 tickets (bench/peer_compare.py's data) its four queries took
~200 ms on PostgreSQL.

- ``ticket_open_by_due``: the open tickets only, in the panel's order (most pressing SLA
  first, then newest), carrying the columns its figures count by. The first eight open
  tickets are its first eight entries (86 ms → well under 1), and the open tickets'
  figures an index-only read of it (62 ms over the whole contract before).
- ``ticket_urged``: the tickets the bureau pressed for (督办), in the panel's order; a
  handful of entries where the count and the list filtered 30,000 open tickets (26 ms
  each).

PostgreSQL builds them CONCURRENTLY (the table is never locked against writes, as 0015's
covers). SQLite gets only ``ticket_urged``: it uses a partial index only when the query's
terms match the index's, and Django's ``status IN (?, ?, ?, ?)`` never matches a list of
constants (its status cover, 0013, serves the open figures already). The statuses are
OPEN_STATUSES as they are today (a test compares them): a migration keeps its own copy."""

from django.db import migrations

OPEN = ("new", "assigned", "in_progress", "waiting")
OPEN_SQL = ", ".join(f"'{status}'" for status in OPEN)
COUNTED = ["status", "assignee_id", "sla_state"]
POSTGRES = {
    "ticket_open_by_due": f"(contract_id, sla_due_at, created_at DESC, id DESC) INCLUDE ({', '.join(COUNTED)}) "
                          f"WHERE status IN ({OPEN_SQL})",
    "ticket_urged": "(contract_id, urged_count DESC, urged_at DESC NULLS LAST, id DESC) WHERE urged_count > 0",
}
SQLITE = {
    "ticket_urged": "(contract_id, urged_count DESC, urged_at DESC, id DESC) WHERE urged_count > 0",
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, definition in POSTGRES.items():
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")  # a build interrupted last time
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY {name} ON servicedesk_ticket {definition}")
    elif vendor == "sqlite":
        for name, definition in SQLITE.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON servicedesk_ticket {definition}")
        schema_editor.execute("ANALYZE servicedesk_ticket")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    concurrently = " CONCURRENTLY" if vendor == "postgresql" else ""
    if vendor in ("postgresql", "sqlite"):
        for name in POSTGRES:
            schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("servicedesk", "0016_postgres_priority_cover")]
    operations = [migrations.RunPython(forwards, backwards, atomic=False)]
