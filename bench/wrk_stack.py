"""Which gunicorn worker type serves the ticket pages best: sync vs gthread, measured with
wrk against a real server on 127.0.0.1 (issue 19).

    .venv/bin/python bench/peer_compare.py --load-only --dbs pg      # the data, once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/weibao_perf WEIBAO_MODE=demo \\
        .venv/bin/python bench/wrk_stack.py [--seconds 10] [--connections 8]

Signs in as the peer benchmark's project manager (a session cookie made here), starts
gunicorn with each stack in turn (2 workers, one per core, or 4 sync workers; gthread
with 4 threads each),
warms it up, then runs wrk (1 thread) against the ticket list (its first page, the same
request a browser makes) and random ticket pages, and prints requests/s, requests/s per
core and latency percentiles. wrk runs on the same 2 cores, so per-core figures are a
lower bound.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
os.environ.setdefault("WEIBAO_MODE", "demo")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from weibao.accounts.middleware import LAST_SEEN_KEY, OTP_VERIFIED_KEY  # noqa: E402
from weibao.accounts.models import User  # noqa: E402
from weibao.core import clock  # noqa: E402
from weibao.servicedesk.models import Ticket  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STACKS = {
    "sync": ["--workers", "2", "--worker-class", "sync"],
    "sync ×2": ["--workers", "4", "--worker-class", "sync"],  # two per core: one runs while one waits
    "gthread": ["--workers", "2", "--worker-class", "gthread", "--threads", "4"],
}
LUA = r"""
local path = os.getenv("WB_PATH")
local lo = tonumber(os.getenv("WB_MIN_ID") or "1")
local hi = tonumber(os.getenv("WB_MAX_ID") or "1")
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end
request = function()
  local p = path
  if p == "DETAIL" then p = "/tickets/" .. math.random(lo, hi) .. "/" end
  return wrk.format("GET", p)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, ' ..
    '"errors": %d}\n', summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, e.status + e.timeout + e.connect + e.read))
end
"""


def session_cookie(user) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store[OTP_VERIFIED_KEY] = True
    store[LAST_SEEN_KEY] = clock.now().timestamp() + 3600  # not idle during the run
    store.create()
    return store.session_key


def wait_ready(port: int, cookie: str) -> None:
    for _ in range(120):
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/tickets/", headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer /tickets/ with 200")


def wrk(port: int, cookie: str, script: str, seconds: int, connections: int, env: dict) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-H", cookie, "-s", script,
         f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    return json.loads(line.removeprefix("WRKJSON "))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8031)
    args = parser.parse_args()
    user = User.objects.get(username="peer_pm")
    cookie = f"Cookie: sessionid={session_cookie(user)}"
    ids = Ticket.objects.filter(number__startswith="SL-L-").order_by("id").values_list("id", flat=True)
    lo, hi = ids.first(), ids.last()
    cores = os.cpu_count() or 1
    script = Path(tempfile.mkdtemp()) / "weibao.lua"
    script.write_text(LUA)
    rows = []
    for stack, options in STACKS.items():
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "weibao.wsgi:application", "-c", "python:weibao.gunicorn_conf",
             "--bind", f"127.0.0.1:{args.port}", *options, "--error-logfile", f"/tmp/wrk_stack_{stack}.log"],
            cwd=ROOT, env=os.environ.copy(),
        )
        try:
            wait_ready(args.port, cookie.removeprefix("Cookie: "))
            for label, path in (("ticket list (page 1)", "/tickets/"), ("ticket page (random)", "DETAIL")):
                env = dict(os.environ, WB_PATH=path, WB_MIN_ID=str(lo), WB_MAX_ID=str(hi))
                wrk(args.port, cookie, str(script), 2, 2, env)  # warm-up
                result = wrk(args.port, cookie, str(script), args.seconds, args.connections, env)
                rows.append((stack, label, result))
                print(f"  {stack:<8} {label:<22} {result}", file=sys.stderr, flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\ngunicorn on 127.0.0.1, {cores} cores, wrk 1 thread × {args.connections} connections, "
          f"{args.seconds} s each\n")
    print("| stack | page | req/s | req/s per core | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for stack, label, r in rows:
        print(f"| {stack} | {label} | {r['rps']:.0f} | {r['rps'] / cores:.0f} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['p99_ms']} | {r['errors']} |")


if __name__ == "__main__":
    main()
