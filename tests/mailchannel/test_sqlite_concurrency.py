"""On SQLite (the embedded default) the poller and the worker together fail nothing with
"database is locked": a lock held longer than the busy timeout is waited out inside the
task (weibao.core.db_retry), not left to the sweep minutes later.

Runs bench/mail_sqlite_concurrency.py in a subprocess: a file-based SQLite database (WAL,
IMMEDIATE transactions), the poller storing mail from a folder that fills while it polls,
two workers processing it and another writer holding the lock half the time, each thread
with its own connection."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from weibao.testing import migrated

# The embedded default's own database file, whatever the suite runs on.
pytestmark = pytest.mark.own_database
BENCH = Path(__file__).resolve().parents[2] / "bench" / "mail_sqlite_concurrency.py"


def _run(tmp_path, *extra: str) -> tuple[int, dict[str, str]]:
    # The suite's migrated template when this run has one: the bench's `migrate` then has
    # nothing to apply (weibao.testing.migrated).
    migrated.copy_into_sqlite_file(tmp_path / "weibao.sqlite3")
    env = {**os.environ, "PYTHONPATH": str(BENCH.parents[1])}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--messages", "25", "--dir", str(tmp_path), *extra],
        env=env, capture_output=True, text=True, timeout=300,
    )
    result = re.search(r"^RESULT (.*)$", done.stdout, re.M)
    assert result, done.stdout[-2000:] + done.stderr[-4000:]
    return done.returncode, dict(pair.split("=") for pair in result.group(1).split())


def test_poller_and_workers_on_sqlite_fail_no_processing(tmp_path):
    code, result = _run(tmp_path)
    assert result == {"attempts": "25", "failures": "0", "poll_errors": "0", "checks": "ok"}
    assert code == 0
    # The bench wrote its rows to that file (not :memory:), a copy of the migrated template.
    with closing(sqlite3.connect(tmp_path / "weibao.sqlite3")) as written:
        assert written.execute("SELECT count(*) FROM contracts_contract WHERE number = 'HT-BENCH-MAIL'").fetchone() == (1,)
