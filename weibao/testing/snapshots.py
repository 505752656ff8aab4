"""Copies of the test database's rows, put back in milliseconds instead of rebuilt.

The demo data (``weibao.demo.load_all``) takes 15–30 s to build. A test process builds it
once, keeps a copy, and puts the copy in place for each module or browser journey that
needs it; what the database held before is copied first and put back afterwards:

- in-memory SQLite (the default test database): SQLite's backup API, both ways;
- PostgreSQL: ``COPY ... TO STDOUT`` of every model table, then ``TRUNCATE`` and
  ``COPY ... FROM STDIN`` in one transaction (foreign keys are checked at commit), and
  the id sequences moved past the restored rows;
- anything else: not supported (``DatabaseCopy.take`` answers None); callers build
  the data each time.
"""

from __future__ import annotations

import sqlite3

from weibao.calendars.services import clear_caches as clear_calendar_caches
from weibao.demo import load_all
from weibao.knowledge import search


class DatabaseCopy:
    """Every row of the test database at one moment."""

    def __init__(self, sqlite_copy: sqlite3.Connection | None, tables: dict[str, bytes] | None) -> None:
        self._sqlite = sqlite_copy
        self._tables = tables

    @staticmethod
    def supported() -> bool:
        from django.db import connection

        return connection.vendor == "postgresql" or (connection.vendor == "sqlite" and connection.is_in_memory_db())

    @classmethod
    def take(cls) -> DatabaseCopy | None:
        from django.db import connection

        if not cls.supported():
            return None
        assert not connection.in_atomic_block, "copy the database outside a transaction"
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            return cls(copy, None)
        return cls(None, _pg_dump(connection))

    def put_back(self) -> None:
        from django.db import connection

        assert not connection.in_atomic_block, "restore the database outside a transaction"
        connection.ensure_connection()
        if self._sqlite is not None:
            self._sqlite.backup(connection.connection)
        else:
            _pg_restore(connection, self._tables)
        forget_cached()

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        self._sqlite = self._tables = None


class DemoSnapshot:
    """The demo data, built on first use and put back from a copy after that."""

    def __init__(self) -> None:
        self._copy: DatabaseCopy | None = None

    def load(self) -> None:
        if self._copy is not None:
            self._copy.put_back()
            return
        load_all()
        forget_cached()
        self._copy = DatabaseCopy.take()  # None: built again next time

    def close(self) -> None:
        if self._copy is not None:
            self._copy.close()
            self._copy = None


def forget_cached() -> None:
    """What this process caches under ids and versions that a restore or a rebuild winds back."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    clear_calendar_caches()
    search.clear_cache()


def _pg_dump(connection) -> dict[str, bytes]:
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    quote = connection.ops.quote_name
    dump = {}
    with connection.cursor() as cursor:
        for table in tables:
            # The SELECT form: a partitioned table (raw probe results) has no rows of its
            # own to COPY; its partitions' rows come through the parent.
            with cursor.cursor.copy(f"COPY (SELECT * FROM {quote(table)}) TO STDOUT") as copy:  # noqa: S608 - Django table names
                dump[table] = b"".join(bytes(chunk) for chunk in copy)
    return dump


def _pg_restore(connection, dump: dict[str, bytes]) -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import transaction

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in dump) + " CASCADE")
        for table, data in dump.items():
            if data:
                with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                    copy.write(data)
        models = apps.get_models(include_auto_created=True)
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
