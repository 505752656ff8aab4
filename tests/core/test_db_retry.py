"""retry_when_locked: SQLite's "database is locked" is retried a few times with growing
pauses; anything else, and a refusal inside a transaction, is raised at once."""

from __future__ import annotations

import pytest
from django.db import OperationalError, transaction

from weibao.core.db_retry import is_locked, retry_when_locked


def _flaky(refusals: int, error: str = "database is locked"):
    calls = []

    def work(value):
        calls.append(value)
        if len(calls) <= refusals:
            raise OperationalError(error)
        return value * 2

    return work, calls


def test_a_locked_database_is_retried_with_growing_pauses():
    work, calls = _flaky(3)
    pauses = []
    assert retry_when_locked(work, sleep=pauses.append, first_pause=0.1)(21) == 42
    assert len(calls) == 4 and len(pauses) == 3
    assert 0.05 <= pauses[0] <= 0.15 and pauses[2] > pauses[0]


def test_after_the_last_attempt_the_error_is_raised():
    work, calls = _flaky(10)
    with pytest.raises(OperationalError, match="locked"):
        retry_when_locked(work, attempts=3, sleep=lambda s: None)(1)
    assert len(calls) == 3


def test_other_database_errors_are_not_retried():
    work, calls = _flaky(1, "no such table: x")
    with pytest.raises(OperationalError):
        retry_when_locked(work, sleep=lambda s: None)(1)
    assert len(calls) == 1 and not is_locked(OperationalError("no such table: x"))


@pytest.mark.django_db
def test_inside_a_transaction_the_refusal_goes_to_the_transactions_owner():
    work, calls = _flaky(1)
    with pytest.raises(OperationalError), transaction.atomic():
        retry_when_locked(work, sleep=lambda s: None)(1)
    assert len(calls) == 1
