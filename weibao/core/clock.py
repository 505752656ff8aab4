"""The one clock of the code base.

Everything that needs "now" calls :func:`now`. Tests freeze or move it with
:func:`frozen` / :func:`travel` instead of sleeping or patching ``datetime``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_lock = threading.Lock()
_frozen_at: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    frozen = _frozen_at
    if frozen is not None:
        return frozen
    return datetime.now(UTC)


def local_now() -> datetime:
    """The current instant in Asia/Shanghai, for display and calendar questions."""
    return now().astimezone(SHANGHAI)


def today() -> date:
    """Today's date in Asia/Shanghai (a working day starts at local midnight)."""
    return local_now().date()


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at ``moment`` (aware); ``None`` lets it run again."""
    global _frozen_at
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock only takes timezone-aware datetimes")
    with _lock:
        _frozen_at = moment.astimezone(UTC) if moment is not None else None


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (or back); freezes a running one first."""
    set_now(now() + delta)
    return now()


@contextlib.contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    previous = _frozen_at
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)


@contextlib.contextmanager
def travel(delta: timedelta) -> Iterator[None]:
    previous = _frozen_at
    advance(delta)
    try:
        yield
    finally:
        set_now(previous)
