"""``weibao run_all`` stops everything it started: a gunicorn worker that ignores SIGTERM
used to keep holding :8000 after a second Ctrl-C (issue 13, item 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from weibao.core import processes

# A leader that ignores SIGTERM and starts a grandchild that ignores it too (as a stuck
# gunicorn worker does), then prints the grandchild's pid.
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
print(child.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_children_that_ignore_sigterm_are_killed_with_their_whole_group():
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    grandchild = int(proc.stdout.readline())
    assert _alive(grandchild)
    started = time.monotonic()
    processes.stop_all([proc], grace=0.5)
    assert time.monotonic() - started < 5
    assert proc.poll() == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild), "the grandchild still runs (it would hold the port)"


def test_a_well_behaved_child_stops_on_sigterm_within_the_grace_period():
    proc = processes.start([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ))
    processes.stop_all([proc], grace=5)
    assert proc.returncode == -signal.SIGTERM


def test_a_second_ctrl_c_skips_the_grace_period():
    proc = processes.start(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"],
        dict(os.environ),
    )
    time.sleep(0.3)  # let it install its handler
    started = time.monotonic()
    processes.stop_all([proc], grace=30, hurry=lambda: True)
    assert time.monotonic() - started < 5
    assert proc.returncode == -signal.SIGKILL
