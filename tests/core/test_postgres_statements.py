"""PostgreSQL binds parameters on the server and prepares what a connection repeats
(decision 0033): the settings that say so, and the server that does it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection

from weibao.servicedesk.models import Ticket

PRINT_OPTIONS = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'weibao.settings'); "
                 "django.setup(); from django.conf import settings; "
                 "o = settings.DATABASES['default'].get('OPTIONS', {}); "
                 "print(o.get('server_side_binding'), o.get('prepare_threshold'))")


def _options(env: dict, tmp_path) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WEIBAO_", "DJANGO_", "DATABASE_URL"))}
    clean.update(env, WEIBAO_MODE="demo", WEIBAO_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", PRINT_OPTIONS], capture_output=True, text=True,
                            env=clean, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_binds_on_the_server_and_prepares_from_the_second_run(tmp_path):
    url = "postgres://weibao@db.example:5432/weibao"
    assert _options({"DATABASE_URL": url}, tmp_path) == "True 2"
    assert _options({"DATABASE_URL": url, "WEIBAO_PG_PREPARE_THRESHOLD": "5"}, tmp_path) == "True 5"
    # Behind a PgBouncer that cannot keep prepared statements: bound on the server, never prepared.
    assert _options({"DATABASE_URL": url, "WEIBAO_PG_PREPARE_THRESHOLD": "0"}, tmp_path) == "True None"


def test_sqlite_is_left_as_it_is(tmp_path):
    assert _options({}, tmp_path) == "None None"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_statement_run_again_on_a_connection_is_prepared_on_the_server(contract):
    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    assert connection.features.uses_server_side_binding
    before = prepared()
    for number in ("SL-1", "SL-2", "SL-3"):
        assert not Ticket.objects.filter(contract=contract, number=number).exists()
    new = [sql for sql in prepared() - before if '"servicedesk_ticket"' in sql]
    assert len(new) == 1 and "$1" in new[0], new
