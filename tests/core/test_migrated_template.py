"""The suite's databases are copies of a migrated template (weibao.testing.migrated): the
copy must be exactly what `migrate` makes, and a changed migration must build a new one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from weibao.testing import migrated


@pytest.mark.django_db
def test_the_test_database_has_every_migration_applied_and_nothing_more():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    assert executor.migration_plan(leaves) == []
    applied = set(executor.loader.applied_migrations)
    assert applied == set(executor.loader.graph.nodes)


def test_the_key_follows_every_migration_file_and_the_modules_they_import(monkeypatch):
    key = migrated.migrations_key("sqlite")
    assert migrated.migrations_key("sqlite") == key
    assert migrated.migrations_key("postgresql") != key
    root = migrated.ROOT
    for changed in (root / "weibao/servicedesk/migrations/0001_initial.py", root / "weibao/core/clock.py",
                    root / "weibao/settings.py"):
        original = Path.read_bytes

        def read_bytes(path, changed=changed, original=original):
            data = original(path)
            return data + b"\n# changed" if path == changed else data

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
        assert migrated.migrations_key("sqlite") != key, changed
        monkeypatch.setattr(Path, "read_bytes", original)


def test_a_subprocess_sqlite_file_is_a_full_copy(tmp_path, db):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite template exists on an SQLite run")
    target = tmp_path / "var" / "weibao.sqlite3"
    assert migrated.copy_into_sqlite_file(target)
    with sqlite3.connect(target) as copy:
        rows = copy.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        tables = {name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    executor = MigrationExecutor(connection)
    assert rows == len(executor.loader.graph.nodes)
    assert {"servicedesk_ticket", "audit_auditrecord", "contracts_contract"} <= tables
