"""Retrying work that SQLite refused with "database is locked".

On SQLite (the embedded default) one writer at a time holds the database; the others wait
the busy timeout (settings: 20 s) and then fail with ``OperationalError: database is
locked``. Background work (the mail poller, the worker processing mail, sweeps) should not
record such a failure for the retry sweep minutes later: the lock is gone a moment after.
So a task retries the whole unit of work here, a few times with growing pauses.

Only a unit of work that starts and ends its own transactions may be retried: inside an
``atomic`` block the failed statement has spoiled the enclosing transaction, so the error
is raised for that transaction's owner to retry. PostgreSQL never answers so; its errors
pass through untouched.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: How many times a unit of work runs at most, and the first pause between runs (doubling,
#: with jitter, up to MAX_PAUSE) — seconds, on top of the busy timeout each run waited.
ATTEMPTS = 8
FIRST_PAUSE = 0.1
MAX_PAUSE = 2.0

_LOCKED = ("database is locked", "database table is locked")


def is_locked(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite refusing a write because another connection holds the lock."""
    return isinstance(exc, OperationalError) and any(text in str(exc) for text in _LOCKED)


#: Each refusal retried, for the benchmark and the logs (attempts, not units of work).
stats = {"retried": 0, "gave_up": 0}


def retry_when_locked(
    work: Callable[P, T] | None = None,
    *,
    attempts: int | None = None,
    first_pause: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
):
    """Run ``work``; when SQLite says "database is locked", pause and run it again.

    Usable as ``@retry_when_locked`` or ``retry_when_locked(fn)(*args)``. After ``attempts``
    runs (default ``ATTEMPTS``, read when it runs) the last error is raised. ``work`` must be safe to run again after a refusal: it
    owns its transactions, so a refused run left nothing behind."""

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            tries = attempts or ATTEMPTS
            pause = first_pause or FIRST_PAUSE
            for attempt in range(1, tries + 1):
                try:
                    return fn(*args, **kwargs)
                except OperationalError as exc:
                    if not is_locked(exc) or connection.in_atomic_block:
                        raise
                    if attempt == tries:
                        stats["gave_up"] += 1
                        log.warning("%s: database still locked after %d attempts", fn.__qualname__, tries)
                        raise
                    stats["retried"] += 1
                    log.info("%s: database locked, attempt %d of %d", fn.__qualname__, attempt, tries)
                    sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not a secret
                    pause = min(pause * 2, MAX_PAUSE)
            raise AssertionError("unreachable")

        return run

    return decorate(work) if work is not None else decorate
