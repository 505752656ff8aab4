"""Load test of the REST API over real HTTP: 50 virtual users for 60 s, figures per endpoint.

    .venv/bin/python bench/load_test.py [--duration 60] [--users 50] [--mode auto] [--fresh]

Sets up its own PostgreSQL database ``weibao_load`` (created if missing — ``--fresh``
drops it first — migrated, demo data loaded; tickets of earlier runs stay otherwise) with
Redis db 14 for the queue, starts ``gunicorn weibao.wsgi:application --workers 4
--threads 4`` on 127.0.0.1:8765 (production mode unless it fails to come up, see
``--mode``), gets one API token for each demo vendor user (pm, engineer, oncall1,
oncall2, agent), then runs the virtual users of bench/load/scenario.py: 80 % reads, 20 %
writes, no think time. A warm-up (every user's first answer, then ``--warmup`` seconds)
is left out of the figures but not out of the error count. gunicorn is always stopped at
the end, also on Ctrl-C/SIGTERM; its output (Django logs, tracebacks) goes to a log file
whose path is printed, and tracebacks found there are printed too.

Prints a table per endpoint (method + route pattern): count, req/s, p50/p95/p99/max
latency in ms, errors (any 5xx, no answer within ``--timeout``, or an unexpected 4xx) and
conflicts (a transition refused because another user moved the ticket first: expected),
then checks the audit hash chain and the ticket numbering survived the concurrent writes.
Exit status 1 when there were errors or a broken check, 2 when setup failed, 130 when
interrupted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import server  # noqa: E402
from load.client import Client  # noqa: E402
from load.prepare import discover, get_tokens  # noqa: E402
from load.report import report, say  # noqa: E402
from load.scenario import Account, VirtualUser, World  # noqa: E402
from load.stats import Stats  # noqa: E402

HOST = "127.0.0.1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="measured seconds (60)")
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users (50)")
    parser.add_argument("--warmup", type=float, default=10,
                        help="unmeasured seconds after every user's first answer (10)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--mode", choices=["auto", "production", "demo"], default="auto",
                        help="serve in production mode, demo mode, or production falling back to demo")
    parser.add_argument("--database", default="weibao_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--timeout", type=float, default=30, help="per-request timeout, s")
    parser.add_argument("--no-keepalive", action="store_true", help="a new connection per request")
    parser.add_argument("--fresh", action="store_true",
                        help="drop and recreate the load database first (earlier runs' tickets go)")
    parser.add_argument("--skip-setup", action="store_true", help="no migrate/load_demo")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the mix")
    return parser.parse_args()


def run(world: World, accounts: list[Account], args, port: int) -> dict:
    """Warm-up, then the measured window, then the drain (answers to requests still in
    flight when time is up): only the measured window's figures count, every phase's
    errors do."""
    stop = threading.Event()
    seed = args.seed if args.seed is not None else secrets.randbits(32)
    users = [
        VirtualUser(i, accounts[i % len(accounts)], world,
                    Client(HOST, port, accounts[i % len(accounts)].token, timeout=args.timeout,
                           keepalive=not args.no_keepalive),
                    stop, seed + i)
        for i in range(args.users)
    ]
    phases = {"warmup": world.stats, "measured": Stats(), "interrupted": False}
    cpu, started = time.process_time(), time.monotonic()
    for user in users:
        user.start()
    try:
        # Warm-up: until every user has its first answer (the cold start of each worker),
        # then --warmup seconds of the normal mix.
        for user in users:
            user.primed.wait(timeout=max(0.0, args.timeout + 10 - (time.monotonic() - started)))
        phases["primed_after"] = time.monotonic() - started
        if args.warmup > 0:
            time.sleep(args.warmup)
        world.stats = phases["measured"]
        cpu, started = time.process_time(), time.monotonic()
        time.sleep(args.duration)
    except KeyboardInterrupt:
        phases["interrupted"] = True  # report what was measured so far, then stop
    finally:
        world.stats = phases["drain"] = Stats()
        phases["seconds"] = time.monotonic() - started
        phases["client_cpu"] = time.process_time() - cpu
        stop.set()
        for user in users:
            user.join(timeout=args.timeout + 5)
    return phases


def main() -> int:
    args = parse_args()
    root = server.ROOT
    workdir = Path(tempfile.mkdtemp(prefix="weibao-load-"))
    (workdir / "var" / "static").mkdir(parents=True)
    log_path = workdir / "gunicorn.log"
    secret_key = secrets.token_urlsafe(50)
    # Ctrl-C and SIGTERM stop the run and gunicorn in order (even where a shell left
    # SIGINT ignored for a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    env = {
        mode: server.weibao_env(mode, db_name=args.database, redis_url=args.redis_url,
                                secret_key=secret_key, workdir=workdir, host=HOST)
        for mode in ("demo", "production")
    }
    gunicorn = None
    tokens: list[tuple[str, str]] = []
    errors = 0
    phases = None
    try:
        created = server.ensure_database(args.database, fresh=args.fresh)
        say(f"database {args.database}: {'created' if created else 'exists (tickets of earlier runs stay)'}")
        if not args.skip_setup or created:
            say("weibao migrate, weibao load_demo (demo mode: load_demo refuses production) …")
            server.manage(env["demo"], "migrate", "--no-input")
            say("  " + server.manage(env["demo"], "load_demo").strip())
        modes = ["production", "demo"] if args.mode == "auto" else [args.mode]
        for mode in modes:
            gunicorn = server.Gunicorn(env[mode], HOST, args.port, log_path, args.workers, args.threads)
            say(f"starting WEIBAO_MODE={mode} {gunicorn.command} (log: {log_path})")
            gunicorn.start()
            try:
                gunicorn.wait_healthy()
                break
            except server.SetupError as exc:
                gunicorn.stop()
                if mode == modes[-1]:
                    raise
                say(f"  production mode did not come up, falling back to demo mode:\n{exc}")
        say(f"  /healthz ok; /readyz: {' '.join(map(str, gunicorn.get('/readyz')))}")
        if mode == "production":
            say("  production mode: secure (TLS-only) session cookies would break a browser login over "
                "plain http, but the API uses bearer tokens and no cookies, so it serves the test as is")
        tokens = get_tokens(HOST, args.port)
        if not tokens:
            raise server.SetupError("no API token for any demo vendor user")
        say(f"tokens: {', '.join(u for u, _ in tokens)}")
        world, accounts = discover(HOST, args.port, tokens, root)
        say(f"contract {world.contract_id}: {world.list_total} tickets, calendars {world.calendar_ids}; "
            f"running {args.users} users for {args.warmup:.0f} + {args.duration:.0f} s …")
        args.load_before = os.getloadavg()[0]
        phases = run(world, accounts, args, args.port)
        errors = report(phases, args, mode)
        if phases["interrupted"]:
            raise KeyboardInterrupt
    except server.SetupError as exc:
        say(f"setup failed: {exc}")
        return 2
    except KeyboardInterrupt:
        say("\ninterrupted: stopping gunicorn")
        return 130
    finally:
        for _username, token in tokens:  # leave no live tokens behind
            Client(HOST, args.port, token, timeout=5).request("POST", "/api/v1/auth/token/revoke/")
        if gunicorn is not None:
            gunicorn.stop()
    if phases is not None:
        say("\nintegrity after the run:")
        for ok, message in server.integrity_checks(env["demo"], args.database):
            say(f"  {'ok    ' if ok else 'BROKEN'} {message}")
            errors += 0 if ok else 1
    log_text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    summary = server.log_summary(log_text)
    if summary:
        say("\ngunicorn log: alarms and django.request warnings (4xx/5xx answers):")
        for line in summary:
            say(f"  {line}")
    found = server.tracebacks(log_text)
    if found:
        say(f"\ntracebacks in the gunicorn log ({log_path}), distinct by last line:")
        for count, text in found:
            say(f"--- seen {count}×\n{text}")
    say(f"gunicorn log: {log_path}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
