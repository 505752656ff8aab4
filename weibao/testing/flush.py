"""Emptying the PostgreSQL test database after a transactional test, in milliseconds.

Django empties the database after each test that commits (``transaction=True``, the
browser journeys, the workers' tests) with one ``TRUNCATE`` of every table, and then
recreates the content types and permissions it just removed. PostgreSQL gives each of the
~140 tables and their indexes new files: ~0.5–1 s a test, though such a test writes a few
rows to a handful of tables — and truncating only those does not help, since ``CASCADE``
takes in every table that references them (nearly all reference the contract).

Here: one query counts the rows (~15 ms); when each table holds only a few, every table is
locked against writers and emptied with ``DELETE`` in the flush's transaction (Django's
foreign keys are deferred to the commit, when every row is gone), except a table whose
triggers refuse deletes (the audit trail's), which is truncated as before. The content types and permissions stay: the
flush's post-migrate step would recreate the same rows. A test that wrote many rows (a
demo load), or asks for ``reset_sequences``, gets Django's own flush. Sequences are not
reset either way (Django's default).
"""

from __future__ import annotations

#: Django's own rows, which the flush's post-migrate step would recreate as they are.
KEPT = frozenset({"django_content_type", "auth_permission"})
#: Above this many rows in one table, TRUNCATE is the cheaper way.
DELETE_AT_MOST = 1000

_original_sql_flush = None


def truncate_only_tables_with_rows() -> None:
    """Make PostgreSQL's test flush cheap (see the module's docstring)."""
    global _original_sql_flush
    from django.db.backends.postgresql.operations import DatabaseOperations

    if _original_sql_flush is not None:
        return
    _original_sql_flush = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        # ``allow_cascade`` (a test case with ``available_apps``) empties only some tables,
        # whose rows others may reference: Django's TRUNCATE … CASCADE, not a DELETE.
        if not reset_sequences and not allow_cascade and tables:
            rows = row_counts(self.connection, tables, cap=DELETE_AT_MOST + 1)
            if all(count <= DELETE_AT_MOST for count in rows.values()):
                return delete_statements(self, style, [t for t in sorted(tables) if t not in KEPT])
        return _original_sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)

    DatabaseOperations.sql_flush = sql_flush


def delete_statements(ops, style, tables: list[str]) -> list[str]:
    """Every table emptied in the flush's transaction. First each is locked against writers
    (as TRUNCATE would be): a live server's or a worker's transaction still open is waited
    for, and nothing commits in between, so no row is left behind. Then a DELETE of each
    (on an empty table, a scan of nothing), the audit trail's truncated (its trigger refuses
    deletes). One server-side block: ~140 statements without a round trip each."""
    if not tables:
        return []
    guarded = tables_refusing_delete(ops.connection) & set(tables)
    quote = ops.quote_name
    deletes = "".join(f"DELETE FROM {quote(table)};" for table in tables if table not in guarded)  # noqa: S608
    statements = [
        "SET CONSTRAINTS ALL DEFERRED;",
        f"LOCK TABLE {', '.join(quote(table) for table in tables)} IN EXCLUSIVE MODE;",
        f"DO $flush$ BEGIN {deletes} END $flush$;",
    ]
    if guarded:
        statements += _original_sql_flush(ops, style, sorted(guarded), allow_cascade=True)
    return statements


def row_counts(connection, tables, *, cap: int) -> dict[str, int]:
    """Each table's number of rows, counted up to ``cap``, in one query."""
    tables = sorted(tables)
    quote = connection.ops.quote_name
    probe = "(SELECT count(*) FROM (SELECT 1 FROM {} LIMIT %s) AS capped)" % int(cap)  # noqa: S608, UP031
    probes = ", ".join(probe.format(quote(table)) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {probes}")  # noqa: S608 - Django's own table names
        counts = cursor.fetchone()
    return dict(zip(tables, counts, strict=True))


def tables_with_rows(connection, tables) -> list[str]:
    return [table for table, count in row_counts(connection, tables, cap=1).items() if count]


def tables_refusing_delete(connection) -> set[str]:
    """Tables with a trigger of their own on DELETE (the audit trail's append-only one)."""
    with connection.cursor() as cursor:
        # tgtype bit 3 (8): a DELETE trigger.
        cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                       "WHERE NOT tgisinternal AND (tgtype::int & 8) <> 0")
        return {name.strip('"') for (name,) in cursor.fetchall()}
