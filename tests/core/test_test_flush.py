"""The PostgreSQL test flush (weibao/testing/flush.py) deletes a few rows instead of
truncating every table: after it the database must be as empty as after Django's own flush —
the audit trail (whose trigger refuses deletes) included — and a test that wrote many rows
gets Django's own."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from weibao.testing.flush import KEPT, tables_with_rows

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the cheap flush is PostgreSQL's")


def _tables_with_rows():
    return set(tables_with_rows(connection, connection.introspection.django_table_names(only_existing=True)))


def _flush_statements():
    from django.core.management.color import no_style
    from django.core.management.sql import sql_flush

    return sql_flush(no_style(), connection, reset_sequences=False)  # as the test case's teardown asks


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_every_table_a_test_wrote_to_the_audit_trail_included(contract, make_member, desk):
    from weibao.audit.services import record

    user = make_member(contract, "resident_engineer")
    record("test.flush", obj=contract, actor=user)
    written = _tables_with_rows()
    assert {"contracts_contract", "contracts_membership", "accounts_user", "audit_auditrecord"} <= written
    statements = _flush_statements()
    assert any(s.startswith("DO $flush$") and 'DELETE FROM "contracts_contract"' in s for s in statements)
    assert not any('"contracts_contract"' in s for s in statements if s.startswith("TRUNCATE"))

    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)

    assert _tables_with_rows() <= KEPT


@pytest.mark.django_db(transaction=True)
def test_the_next_test_starts_from_an_empty_database():
    assert _tables_with_rows() <= KEPT


@pytest.mark.django_db(transaction=True)
def test_a_row_another_connection_commits_before_the_flush_is_emptied_too(contract):
    """A live server's or a worker's own connection: its committed row goes as well."""
    from django.db import connections

    from weibao.contracts.models import Contract

    columns = ", ".join(f'"{f.column}"' for f in Contract._meta.concrete_fields if f.column not in ("id", "number"))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # autocommit: committed when the flush starts
            cursor.execute(f'INSERT INTO "contracts_contract" ("number", {columns}) '  # noqa: S608 - model columns
                           f'SELECT %s, {columns} FROM "contracts_contract" WHERE "id" = %s', ["HT-OTHER-9", contract.pk])
    finally:
        other.close()
    assert Contract.objects.count() == 2
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    assert _tables_with_rows() <= KEPT


@pytest.mark.django_db(transaction=True)
def test_many_rows_are_truncated_as_django_does(contract):
    from weibao.contracts.models import Contract
    from weibao.testing.factories import ContractFactory

    ContractFactory.create_batch(1001)
    assert any(s.startswith("TRUNCATE") and '"contracts_contract"' in s for s in _flush_statements())

    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)

    assert not Contract.objects.exists()
    assert _tables_with_rows() <= KEPT


@pytest.mark.django_db(transaction=True)
def test_and_after_many_rows_the_next_test_starts_empty_too():
    assert _tables_with_rows() <= KEPT
