"""PostgreSQL: a covering index keyed (contract, priority, status) for the ticket list's
match count under a priority, with or without a status ("open P1s", the on-call's first
question). Under status + priority the count used the status cover and dropped the other
priorities' entries one by one: 30,000 index entries read for 6,054 counted at 100,000
tickets (13 ms); it now reads only the priority's entries of those statuses. SQLite's
status cover (0013) already keys on the priority second and needs nothing."""

from django.db import migrations

NAME = "ticket_priority_filter_cover"
KEYS = ["priority", "status"]
COLUMNS = ["status", "priority", "type", "channel", "sla_state", "assignee_id", "group_id", "component_id",
           "created_at", "id"]


def forwards(apps, schema_editor):
    """Built CONCURRENTLY, as 0015's: the ticket table is never locked against writes for
    the build."""
    if schema_editor.connection.vendor != "postgresql":
        return
    included = ", ".join(c for c in COLUMNS if c not in KEYS)
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")  # a build interrupted last time
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY {NAME} ON servicedesk_ticket "
                          f"(contract_id, {', '.join(KEYS)}) INCLUDE ({included})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("servicedesk", "0015_postgres_status_cover_keys_group")]
    operations = [migrations.RunPython(forwards, backwards, atomic=False)]
