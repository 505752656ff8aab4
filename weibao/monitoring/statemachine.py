"""When a monitor is up or down: N consecutive failures to go down, M consecutive successes
to come back (the hysteresis damps flapping). Pure: no Django, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN, UP, DOWN = "unknown", "up", "down"


@dataclass(frozen=True)
class Counters:
    state: str
    failures: int  # consecutive
    successes: int  # consecutive


def step(before: Counters, ok: bool, *, failures_to_down: int, successes_to_up: int) -> Counters:
    """The counters after one result. A monitor of unknown state is up at its first
    success (nothing to damp yet) and down after ``failures_to_down`` failures; a down
    monitor needs ``successes_to_up`` successes in a row, an up one ``failures_to_down``
    failures in a row, so one odd result never changes the state."""
    if ok:
        failures, successes = 0, before.successes + 1
        if before.state == UNKNOWN or (before.state == DOWN and successes >= successes_to_up):
            return Counters(UP, failures, successes)
    else:
        failures, successes = before.failures + 1, 0
        if before.state != DOWN and failures >= failures_to_down:
            return Counters(DOWN, failures, successes)
    return Counters(before.state, failures, successes)
