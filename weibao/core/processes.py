"""Child processes of ``weibao run_all``: each in a process group of its own, stopped as a
group — SIGTERM first, SIGKILL for whatever is left after a grace period — so a gunicorn
worker that ignores SIGTERM cannot keep holding the port after Weibao stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable


def start(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    # A session of its own: the terminal's Ctrl-C reaches run_all only, which stops the
    # groups in order instead of every process getting SIGINT at once.
    return subprocess.Popen(argv, env=env, start_new_session=True)  # noqa: S603 - argv built by the caller


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(proc: subprocess.Popen) -> bool:
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_all(
    procs: list[subprocess.Popen], *, grace: float = 10.0, hurry: Callable[[], bool] = lambda: False
) -> None:
    """Stop every child and every process it started: SIGTERM to each group, then SIGKILL
    to the groups still alive after ``grace`` seconds (or at once when ``hurry()`` turns
    true, e.g. a second Ctrl-C)."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and not hurry():
        for proc in procs:
            proc.poll()  # reap the leader so its group can empty
        if not any(_group_alive(proc) for proc in procs):
            return
        time.sleep(0.1)
    for proc in procs:
        _signal_group(proc, signal.SIGKILL)
    for proc in procs:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
