"""Real processes for the fault tests: a deployment (database, migrations, seed data),
gunicorn, Huey consumers, a private redis-server and a scriptable SMTP server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


@dataclass
class Deployment:
    """One Weibao installation in a temporary directory, run as separate processes."""

    tmp: Path
    database_url: str
    redis_url: str = ""
    email_port: int = 0
    procs: list[subprocess.Popen] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.pop("PYTEST_CURRENT_TEST", None)
        env.update(
            WEIBAO_MODE="demo",
            WEIBAO_VAR_DIR=str(self.tmp / "var"),
            WEIBAO_MEDIA_ROOT=str(self.tmp / "media"),
            DATABASE_URL=self.database_url,
            WEIBAO_EVENT_SWEEP_AFTER_SECONDS="2",
            WEIBAO_EMAIL_TIMEOUT="3",
            WEIBAO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
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

    def manage(self, *args: str, timeout: float = 300, **extra) -> str:
        done = subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "weibao.manage", *args], cwd=ROOT, env=self.env(**extra),
            capture_output=True, text=True, timeout=timeout,
        )
        if done.returncode:
            raise AssertionError(f"weibao {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code: str, **extra) -> dict:
        """Run Django code in a fresh process; it prints one JSON line as its result."""
        out = self.manage("shell", "-c", code, **extra)
        return json.loads(out.strip().splitlines()[-1])

    def start(self, name: str, argv: list[str], **extra) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            argv, cwd=ROOT, env=self.env(**extra), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start_web(self, port: int) -> subprocess.Popen:
        proc = self.start("web", [
            sys.executable, "-m", "gunicorn", "weibao.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "30",
            "--graceful-timeout", "2",
        ])
        wait_for(lambda: http("GET", f"http://127.0.0.1:{port}/healthz")[0] == 200, 60, "gunicorn")
        return proc

    def start_worker(self) -> subprocess.Popen:
        return self.start("worker", [sys.executable, "-m", "weibao.manage", "run_huey", "--workers", "2"])

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for proc in self.procs:
            kill(proc, signal.SIGKILL)
        self.procs.clear()


def kill(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def http(method: str, url: str, body: dict | None = None, token: str = "", timeout: float = 15):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local test server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


SEED = """
import json
from weibao.accounts.models import User
from weibao.api.models import ApiToken
from weibao.contracts.models import Contract, Membership
from weibao.mailchannel.models import Mailbox
from weibao.servicedesk.services.defaults import install_defaults
from datetime import date
from decimal import Decimal
contract = Contract.objects.create(number="HT-FAULT-1", name="故障演练合同", party_a="甲方", party_b="乙方",
    amount=Decimal("1.00"), term_start=date(2026, 1, 1), term_end=date(2027, 12, 31))
install_defaults(contract)
Mailbox.objects.create(contract=contract, address="desk@fault.test", sender_name="运维服务台")
user = User.objects.create_user("faultpm", password="Weibao@2026-x", display_name="演练项目经理")
Membership.objects.create(contract=contract, user=user, role="project_manager")
token, raw = ApiToken.issue(user, name="faults")
print(json.dumps({"contract": contract.pk, "token": raw}))
"""


def create_database(name: str) -> str:
    drop_database(name)
    subprocess.run(["psql", PG_ADMIN, "-qc", f'CREATE DATABASE "{name}"'], check=True, timeout=60)  # noqa: S603,S607
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    subprocess.run(  # noqa: S603,S607
        ["psql", PG_ADMIN, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
        timeout=60, capture_output=True,
    )


def postgres(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(  # noqa: S603,S607
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *(["-m", "fast"] if action == "stop" else [])],
        check=True, timeout=120, capture_output=True,
    )


def postgres_up() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], timeout=10).returncode == 0  # noqa: S603,S607


def start_redis(port: int, workdir: Path) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed"
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, 20, "redis")
    return proc


class FakeSmtp:
    """An SMTP server that can hang on the next connection (to kill a sender mid-send) and
    records every message it accepted."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[bytes] = []
        self.hang_next = False
        self.hung = threading.Event()
        self.connections = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(16)
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self):
        self._stop = True
        self._sock.close()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.hang_next:
                self.hang_next = False
                self.hung.set()
                continue  # never greet: the sender blocks until it is killed
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        reader = conn.makefile("rb")

        def say(line):
            conn.sendall(line.encode() + b"\r\n")

        say("220 fake ESMTP")
        try:
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
        finally:
            conn.close()
