"""The printed figures: the table, the mix, conflicts, errors and the failing requests."""

from __future__ import annotations

import os

from .scenario import MIX
from .stats import table


def say(message: str = "") -> None:
    print(message, flush=True)


def report(phases: dict, args, mode: str) -> int:
    warmup, measured, drain = phases["warmup"], phases["measured"], phases["drain"]
    seconds = phases["seconds"]
    say()
    if phases["interrupted"]:
        say("interrupted: figures of the part that ran")
    say(f"== {args.users} virtual users, {seconds:.1f} s measured, gunicorn {args.workers} workers × "
        f"{args.threads} threads, {mode} mode, keep-alive {'off' if args.no_keepalive else 'on'} ==")
    primed = phases.get("primed_after", 0.0)
    say(f"warm-up (not in the table): all {args.users} opening searches answered after {primed:.1f} s "
        f"(cold workers), then {args.warmup:.0f} s of the mix; {warmup.total_requests} requests, "
        f"{warmup.total_errors} errors")
    say(f"machine: {os.cpu_count()} CPUs shared by server, PostgreSQL and this client (which used "
        f"{phases['client_cpu']:.1f} s CPU); load average {args.load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (1 min)")
    say(table(measured, seconds))
    reads = sum(len(e.latencies) for r, e in measured.endpoints.items() if r.startswith("GET"))
    total = measured.total_requests or 1
    say(f"mix: {100 * reads / total:.1f} % reads, {100 * (total - reads) / total:.1f} % writes "
        f"(weights: {', '.join(f'{a.__name__} {w}' for a, w in MIX)})")
    errors = measured.total_errors + warmup.total_errors + drain.total_errors
    say(f"errors: {measured.total_errors} measured + {warmup.total_errors} in warm-up + "
        f"{drain.total_errors} in the drain ({drain.total_requests} answers after time was up, "
        f"not in the table); conflicts: {measured.total_conflicts}")
    if measured.total_conflicts:
        say("  conflicts are transitions the server refused with 400 {\"to\": \"不能从…变为…\"} because "
            "another virtual user moved the same ticket after this one last saw it (lost race, "
            "expected; the user then reloads the ticket, counted as a GET):")
        for (_route, why), n in measured.conflict_kinds.most_common(6):
            say(f"    {n:5d}  {why}")
    if errors:
        say("error kinds (route, status, first bytes of the answer):")
        kinds = measured.error_kinds + warmup.error_kinds + drain.error_kinds
        for (route, status, detail), n in kinds.most_common(12):
            say(f"  {n:5d}  {route}  {status or 'no answer'}  {detail}")
        say("first failing requests:")
        for sample in (warmup.samples + measured.samples + drain.samples)[:8]:
            say(f"  {sample.method} {sample.path} -> {sample.status or sample.detail} "
                f"X-Request-ID={sample.request_id or '-'}")
            if sample.body is not None:
                say(f"      body: {sample.body}")
    return errors
