"""Real processes for the fault tests: one Weibao installation in a temporary directory
(its own database, migrated and seeded by `weibao` subprocesses), gunicorn, Huey
consumers, a private redis-server, a scriptable SMTP server, and control of the local
PostgreSQL cluster.

Every process is started in its own session (so the whole group can be SIGKILLed) and
with a parent-death signal (so even a pytest killed with SIGKILL leaves none behind);
every wait has a deadline.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEIBAO = Path(sys.executable).with_name("weibao")
MANAGE = [str(WEIBAO)] if WEIBAO.exists() else [sys.executable, "-m", "weibao.manage"]
SUITE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE_URL.startswith(("postgres://", "postgresql://"))
WITH_REDIS = bool(os.environ.get("REDIS_URL"))

# --- small tools ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # keep polling until the deadline
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def spawn(argv: list[str], *, env: dict, log: Path | None = None) -> subprocess.Popen:
    out = log.open("ab") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
    finally:
        if log:
            out.close()


def kill(proc: subprocess.Popen | None, sig=signal.SIGKILL) -> None:
    """Signal the process's whole group (gunicorn's workers too) and reap it."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    else:  # the leader is gone; its group may not be
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@dataclass
class Response:
    status: int
    body: str
    headers: dict

    def json(self):
        return json.loads(self.body)


def http(method: str, url: str, body: dict | None = None, *, token: str = "", cookie: str = "",
         accept: str = "application/json", timeout: float = 15) -> Response:
    """One request, no redirects followed; a timeout raises (a hang is a failure)."""
    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Accept": accept, "Host": "127.0.0.1"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), data, headers)
        response = conn.getresponse()
        return Response(response.status, response.read().decode(errors="replace"),
                        {k.lower(): v for k, v in response.getheaders()})
    finally:
        conn.close()


# --- one installation ------------------------------------------------------------------------

SECRET_KEY = "weibao-fault-tests-" + "k" * 50
SWEEP_AFTER_SECONDS = 2


def let_events_age(since: float) -> None:
    """Sleep until events stored at monotonic time ``since`` are old enough for the sweep
    (a consumer's periodic tasks run when it starts, then only once a minute)."""
    time.sleep(max(0.0, since + SWEEP_AFTER_SECONDS + 1 - time.monotonic()))


@dataclass
class Deployment:
    """Weibao as it runs in production (WEIBAO_MODE=production, collected static files,
    gunicorn with weibao.gunicorn_conf, `weibao run_huey`), in a temporary directory."""

    tmp: Path
    database_url: str = ""  # PostgreSQL; empty: the shipped SQLite default under var/
    redis_url: str = ""
    email_port: int = 0
    redis_proc: subprocess.Popen | None = None
    seed: dict = field(default_factory=dict)
    procs: list[subprocess.Popen] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WEIBAO_", "PYTEST_")) and k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(
            WEIBAO_MODE="production",
            WEIBAO_SECRET_KEY=SECRET_KEY,
            WEIBAO_AUDIT_KEY="weibao-fault-tests-audit-" + "a" * 40,
            WEIBAO_DATA_KEY="weibao-fault-tests-data-" + "d" * 40,
            WEIBAO_ALLOWED_HOSTS="127.0.0.1,localhost",
            WEIBAO_SECURE_COOKIES="0",
            WEIBAO_VAR_DIR=str(self.tmp / "var"),
            WEIBAO_STATIC_ROOT=str(self.tmp / "static"),
            WEIBAO_MEDIA_ROOT=str(self.tmp / "media"),
            # The sweep takes events whose queued dispatch has not run for 2 s (60 s by
            # default), so a consumer's first periodic run picks them up.
            WEIBAO_EVENT_SWEEP_AFTER_SECONDS=str(SWEEP_AFTER_SECONDS),
            WEIBAO_EMAIL_TIMEOUT="3",
            WEIBAO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        if self.database_url:  # else SQLite at var/weibao.sqlite3, configured as shipped
            env["DATABASE_URL"] = self.database_url
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.email_port:
            env.update(
                WEIBAO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                WEIBAO_EMAIL_HOST="127.0.0.1",
                WEIBAO_EMAIL_PORT=str(self.email_port),
            )
        env.update(extra)
        return env

    @property
    def on_postgres(self) -> bool:
        return self.database_url.startswith("postgres")

    @property
    def sqlite_path(self) -> Path:
        return self.tmp / "var" / "weibao.sqlite3"

    def manage(self, *args: str, timeout: float = 120, **extra) -> str:
        done = subprocess.run(  # noqa: S603 - fixed argv
            [*MANAGE, *args], cwd=ROOT, env=self.env(**extra),
            capture_output=True, text=True, timeout=timeout, preexec_fn=_die_with_parent,
        )
        if done.returncode:
            raise AssertionError(f"weibao {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code: str, **extra):
        """Run Django code in a fresh `weibao shell`; its last output line is JSON."""
        out = self.manage("shell", "-c", code, timeout=60, **extra)
        return json.loads(out.strip().splitlines()[-1])

    def start(self, name: str, argv: list[str], **extra) -> subprocess.Popen:
        proc = spawn(argv, env=self.env(**extra), log=self.tmp / f"{name}.log")
        self.procs.append(proc)
        return proc

    def start_web(self, **extra) -> tuple[subprocess.Popen, str]:
        port = free_port()
        proc = self.start("web", [
            sys.executable, "-m", "gunicorn", "weibao.wsgi:application",
            "-c", "python:weibao.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "4", "--timeout", "30", "--graceful-timeout", "2",
        ], **extra)
        base = f"http://127.0.0.1:{port}"

        def up():
            assert proc.poll() is None, "gunicorn exited:\n" + self.log("web")[-3000:]
            return http("GET", f"{base}/healthz", timeout=3).status == 200

        wait_for(up, 60, "gunicorn to answer /healthz")
        return proc, base

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        return self.start(name, [*MANAGE, "run_huey", "--workers", "2"], WEIBAO_LOG_LEVEL="INFO")

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for proc in self.procs:
            kill(proc)
        self.procs.clear()


SEED = """
import json
from datetime import date
from decimal import Decimal
from django.test import Client
from weibao.accounts.models import User
from weibao.api.models import ApiToken
from weibao.contracts.models import Contract, Membership
from weibao.mailchannel.models import Mailbox
from weibao.servicedesk.services.defaults import install_defaults
contract = Contract.objects.create(number="HT-FAULT-1", name="故障演练合同", party_a="甲方",
    party_b="乙方", amount=Decimal("1.00"), term_start=date(2026, 1, 1), term_end=date(2027, 12, 31))
install_defaults(contract)
Mailbox.objects.create(contract=contract, address="desk@fault.test", sender_name="运维服务台")
user = User.objects.create_user("faultpm", password="Weibao@2026-x", display_name="演练项目经理")
Membership.objects.create(contract=contract, user=user, role="project_manager")
token, raw = ApiToken.issue(user, name="faults")
browser = Client()
browser.force_login(user)
session = browser.session
session["weibao_otp_verified"] = True
session.save()
print(json.dumps({"contract": contract.pk, "token": raw, "cookie": f"sessionid={session.session_key}"}))
"""

CREATE_TICKET = """
import json
from weibao.contracts.models import Contract
from weibao.servicedesk.services import tickets
contract = Contract.objects.get(number="HT-FAULT-1")
ticket = tickets.create_ticket(contract, by=None, type="fault", priority="p3", channel="email",
    requester_name="张三", requester_email="zhangsan@example.cn", subject=%r)
print(json.dumps(ticket.pk))
"""

# What the queue has done for one ticket: its events and its outbound mail.
WORK = """
import json
from weibao.core import clock
from weibao.core.models import Event
from weibao.mailchannel.models import OutboundMail
ticket = %d
mails = list(OutboundMail.objects.filter(ticket_id=ticket).order_by("pk")
             .values("status", "attempts", "message_id", "next_attempt_at", "last_error"))
for mail in mails:
    mail["due"] = mail.pop("next_attempt_at") <= clock.now()
print(json.dumps({
    "events": list(Event.objects.filter(object_type="servicedesk.ticket", object_id=str(ticket))
                   .order_by("pk").values("type", "attempts", "dispatched_at", "last_error")),
    "mails": mails,
}, default=str))
"""


def create_ticket(deployment: Deployment, subject: str) -> int:
    return deployment.python(CREATE_TICKET % subject)


def work(deployment: Deployment, ticket: int) -> dict:
    return deployment.python(WORK % ticket)


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_url(dbname: str) -> str:
    parts = urlsplit(SUITE_DATABASE_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", "", ""))


def pg_connect(url: str | None = None, **kwargs):
    import psycopg

    return psycopg.connect(url or _pg_url("postgres"), autocommit=True, connect_timeout=3, **kwargs)


def create_database(name: str, *, template: str | None = None) -> str:
    """A new database ``name``: empty, or a copy of ``template`` when that database exists."""
    drop_database(name)
    with pg_connect() as conn:
        copied = template and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if copied else ""))
    return _pg_url(name)


def drop_database(name: str) -> None:
    with pg_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_up() -> bool:
    try:
        with pg_connect() as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def local_cluster() -> tuple[str, str] | None:
    """(version, name) of the local cluster serving DATABASE_URL's port, if this machine
    runs it with Debian's pg_ctlcluster; else None (the restart test is skipped)."""
    parts = urlsplit(SUITE_DATABASE_URL)
    if not ON_POSTGRES or parts.hostname not in ("127.0.0.1", "localhost", "::1", None):
        return None
    if not shutil.which("pg_ctlcluster") or not shutil.which("pg_lsclusters"):
        return None
    listing = subprocess.run(["pg_lsclusters", "--no-header"],  # noqa: S607
                             capture_output=True, text=True, timeout=30).stdout
    for line in listing.splitlines():
        version, name, port, *_ = line.split()
        if port == str(parts.port or 5432):
            return version, name
    return None


def pg_ctl(action: str) -> None:
    cluster = local_cluster()
    assert cluster, "no local PostgreSQL cluster to control"
    argv = ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action]
    if action in ("stop", "restart"):
        argv += ["-m", "fast"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stdout}{done.stderr}"


def ensure_postgres_running() -> None:
    if not postgres_up():
        if local_cluster():
            subprocess.run(  # noqa: S603
                ["pg_ctlcluster", "--skip-systemctl-redirect", *local_cluster(), "start"],
                capture_output=True, timeout=120,
            )
        wait_for(postgres_up, 60, "PostgreSQL to accept connections again")


# --- holding a lock the queue's work needs --------------------------------------------------


@contextmanager
def hold_write_lock(deployment: Deployment, table: str):
    """Block every writer of ``table`` until the block exits.

    PostgreSQL: ``LOCK TABLE … IN EXCLUSIVE MODE`` (readers go on; an INSERT waits, inside
    its transaction, after everything before it in that transaction has run). SQLite: the
    database's write lock (``BEGIN IMMEDIATE``), so a writer waits at its first statement.
    """
    if deployment.on_postgres:
        conn = pg_connect(deployment.database_url)
        try:
            conn.execute("BEGIN")
            conn.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            yield conn
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    else:
        conn = sqlite3.connect(deployment.sqlite_path, isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
        finally:
            conn.execute("ROLLBACK")
            conn.close()


def waiting_inserts(deployment: Deployment, table: str) -> int:
    with pg_connect(deployment.database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            (f'INSERT INTO "{table}"%',),
        ).fetchone()[0]


def busy_backends(deployment: Deployment) -> int:
    """Sessions on the deployment's database, other than this one, inside a transaction."""
    with pg_connect(deployment.database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'"
        ).fetchone()[0]


# --- Redis -----------------------------------------------------------------------------------


def start_redis(port: int, workdir: Path) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed"
    proc = spawn([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", str(workdir)], env=dict(os.environ))

    def answers():
        assert proc.poll() is None, "redis-server exited"
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    wait_for(answers, 20, f"redis-server on port {port}")
    return proc


# --- SMTP --------------------------------------------------------------------------------------


class FakeSmtp:
    """An SMTP server that records every message it accepts, and can leave the next
    connection hanging without a greeting (a sender blocks there until it is killed)."""

    def __init__(self):
        self.messages: list[bytes] = []
        self.hang_next = False
        self.hung = threading.Event()
        self._stalled: list[socket.socket] = []
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def delivered(self, message_id: str) -> int:
        return sum(1 for m in self.messages if message_id.encode() in m)

    def close(self):
        self._stop = True
        self._sock.close()
        for conn in self._stalled:
            conn.close()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self.hang_next:
                self.hang_next = False
                self._stalled.append(conn)
                self.hung.set()
                continue
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        reader = conn.makefile("rb")

        def say(line):
            conn.sendall(line.encode() + b"\r\n")

        try:
            say("220 fake ESMTP")
            while True:
                line = reader.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    say("250 fake")
                elif verb == b"DATA":
                    say("354 go")
                    data = []
                    for body in iter(reader.readline, b""):
                        if body in (b".\r\n", b".\n"):
                            break
                        data.append(body)
                    self.messages.append(b"".join(data))
                    say("250 queued")
                elif verb == b"QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 ok")
        except OSError:
            return
        finally:
            conn.close()


def restarts_postgres_marks() -> list:
    """The marks of a test that restarts the suite's PostgreSQL: every other connection
    drops with it, so nothing may run beside it (``serial``), and only against a local
    cluster this machine can restart."""
    return [
        pytest.mark.faults,
        pytest.mark.serial,
        pytest.mark.skipif(not ON_POSTGRES, reason="restarts PostgreSQL: runs only when DATABASE_URL is PostgreSQL"),
        pytest.mark.skipif(ON_POSTGRES and local_cluster() is None,
                           reason="DATABASE_URL's server is not a local cluster pg_ctlcluster can restart"),
    ]
