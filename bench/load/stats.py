"""Per-endpoint figures: count, throughput, latency percentiles, errors, conflicts."""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

OK, CONFLICT, ERROR = "ok", "conflict", "error"
MAX_SAMPLES = 30


@dataclass
class Endpoint:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    conflicts: int = 0


@dataclass
class Sample:
    """One failed request, kept to be shown and looked up in the server log."""

    route: str
    method: str
    path: str
    status: int
    detail: str
    request_id: str
    body: object = None


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.endpoints: dict[str, Endpoint] = defaultdict(Endpoint)
        self.samples: list[Sample] = []
        self.error_kinds: Counter = Counter()
        self.conflict_kinds: Counter = Counter()

    def record(self, route: str, reply, outcome: str, body: object = None, why: str = "") -> None:
        status = reply.status
        with self._lock:
            endpoint = self.endpoints[route]
            endpoint.latencies.append(reply.ms)
            endpoint.statuses[status] += 1
            if outcome == ERROR:
                endpoint.errors += 1
                detail = reply.error or why or reply.text[:300].replace("\n", " ")
                self.error_kinds[(route, status, detail[:120])] += 1
                if len(self.samples) < MAX_SAMPLES:
                    self.samples.append(
                        Sample(route, reply.method, reply.path, status, detail, reply.request_id, body)
                    )
            elif outcome == CONFLICT:
                endpoint.conflicts += 1
                self.conflict_kinds[(route, why)] += 1

    @property
    def total_requests(self) -> int:
        return sum(len(e.latencies) for e in self.endpoints.values())

    @property
    def total_errors(self) -> int:
        return sum(e.errors for e in self.endpoints.values())

    @property
    def total_conflicts(self) -> int:
        return sum(e.conflicts for e in self.endpoints.values())


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _codes(statuses: Counter) -> str:
    return " ".join(
        f"{'conn' if code == 0 else code}×{n}" for code, n in sorted(statuses.items())
    )


def table(stats: Stats, seconds: float) -> str:
    header = ("endpoint", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
              "conflicts", "status codes")
    rows = []
    everything: list[float] = []
    for route in sorted(stats.endpoints, key=lambda r: (r.split(" ", 1)[1], r)):
        endpoint = stats.endpoints[route]
        ordered = sorted(endpoint.latencies)
        everything.extend(ordered)
        rows.append(_row(route, ordered, seconds, endpoint.errors, endpoint.conflicts,
                         _codes(endpoint.statuses)))
    everything.sort()
    total_codes: Counter = Counter()
    for endpoint in stats.endpoints.values():
        total_codes.update(endpoint.statuses)
    total = _row("TOTAL", everything, seconds, stats.total_errors, stats.total_conflicts,
                 _codes(total_codes))
    widths = [max(len(str(r[i])) for r in [header, *rows, total]) for i in range(len(header))]

    def line(cells):
        out = []
        for i, cell in enumerate(cells):
            out.append(str(cell).ljust(widths[i]) if i in (0, len(cells) - 1) else str(cell).rjust(widths[i]))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows), rule, line(total)])


def _row(name, ordered, seconds, errors, conflicts, codes):
    return (
        name,
        len(ordered),
        f"{len(ordered) / seconds:.1f}" if seconds > 0 else "-",
        f"{percentile(ordered, 50):.0f}" if ordered else "-",
        f"{percentile(ordered, 95):.0f}" if ordered else "-",
        f"{percentile(ordered, 99):.0f}" if ordered else "-",
        f"{ordered[-1]:.0f}" if ordered else "-",
        errors,
        conflicts,
        codes,
    )
