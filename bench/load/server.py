"""The load test's own database (weibao_load), its demo data, and the gunicorn it runs."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"
# Other people's databases on the same server: never ours to create into or migrate.
PROTECTED_DATABASES = {"weibao", "weibao_bench", "test_weibao", "postgres", "template0", "template1"}


class SetupError(RuntimeError):
    pass


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def weibao_env(mode: str, *, db_name: str, redis_url: str, secret_key: str, workdir: Path,
               host: str) -> dict[str, str]:
    """The environment for manage commands and gunicorn: nothing WEIBAO_* inherited."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("WEIBAO_") and k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        WEIBAO_MODE=mode,
        DATABASE_URL=database_url(db_name),
        REDIS_URL=redis_url,
        WEIBAO_SECRET_KEY=secret_key,
        # Keep generated files (static root, media) out of the repository's var/.
        WEIBAO_VAR_DIR=str(workdir / "var"),
        PYTHONUNBUFFERED="1",
    )
    if mode == "production":
        env.update(WEIBAO_ALLOWED_HOSTS=host, WEIBAO_DEBUG="0")
    return env


def ensure_database(name: str, fresh: bool = False) -> bool:
    """Create the database if it is missing (``fresh``: drop it first); True when created."""
    if name in PROTECTED_DATABASES:
        raise SetupError(f"refusing to use database {name!r}: it is not the load test's own")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SetupError(f"unusual database name {name!r}")
    base = ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]
    try:
        if fresh:
            subprocess.run(["dropdb", *base, "--if-exists", name], capture_output=True, text=True,
                           timeout=60, check=True)
        found = subprocess.run(
            ["psql", *base, "-d", "postgres", "-Atc",
             f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip()
        if found == "1":
            return False
        subprocess.run(["createdb", *base, name], capture_output=True, text=True, timeout=60, check=True)
    except FileNotFoundError as exc:
        raise SetupError(f"{exc.filename} not found: install the PostgreSQL client tools") from exc
    except subprocess.CalledProcessError as exc:
        raise SetupError(f"{' '.join(exc.cmd[:1])} failed: {exc.stderr.strip()}") from exc
    return True


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(BIN / "weibao"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise SetupError(
            f"weibao {' '.join(args)} failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


class Gunicorn:
    """gunicorn weibao.wsgi:application, in its own process group, output to a log file."""

    def __init__(self, env: dict[str, str], host: str, port: int, log_path: Path,
                 workers: int = 4, threads: int = 4):
        self.env, self.host, self.port, self.log_path = env, host, port, log_path
        self.args = [
            str(BIN / "gunicorn"), "weibao.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
            # Not the shared default (~/.gunicorn/gunicorn.ctl) another gunicorn may own.
            "--control-socket", str(log_path.parent / "gunicorn.ctl"),
        ]
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def command(self) -> str:
        return " ".join([".venv/bin/gunicorn", *self.args[1:]])

    def start(self) -> None:
        if port_in_use(self.host, self.port):
            raise SetupError(
                f"{self.host}:{self.port} is already in use: stop that server or pass --port"
            )
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own session: the terminal's Ctrl-C reaches only us, and we stop it in order.
            start_new_session=True,
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        url = f"http://{self.host}:{self.port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SetupError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise SetupError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://{self.host}:{self.port}{path}", timeout=10) as r:  # noqa: S310
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                # TERM to the master's process group (the master and its workers, ours alone).
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


LOG_RECORD = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}|\[\d{4}-\d{2}-\d{2} )")


def tracebacks(log_text: str, limit: int = 5) -> list[tuple[int, str]]:
    """Distinct Python tracebacks in a gunicorn/Django log, as (times seen, text), keyed
    by their last line. A traceback runs from the log record that introduced it to the
    next log record (Django logs start with a timestamp, gunicorn's with "[")."""
    found: dict[str, list] = {}
    record: list[str] = []

    def flush():
        if any(line.startswith("Traceback (most recent call last)") for line in record):
            last = next(line for line in reversed(record) if line.strip()).strip()
            last = re.sub(r"\d+", "#", last)  # "process 123 waits for 456" is one problem
            if last in found:
                found[last][0] += 1
            else:
                found[last] = [1, "\n".join(record).rstrip()]

    for line in log_text.splitlines():
        if LOG_RECORD.match(line):
            flush()
            record = []
        record.append(line)
    flush()
    return [(count, text) for count, text in found.values()][:limit]


def log_summary(log_text: str) -> list[str]:
    """gunicorn's own alarms (worker timeouts, crashes) and Django's request warnings."""
    alarms = [
        line for line in log_text.splitlines()
        if any(word in line for word in ("WORKER TIMEOUT", "[ERROR]", "[CRITICAL]", "SIGKILL", "out of memory"))
    ]
    requests = {}
    for line in log_text.splitlines():
        match = re.search(r" (WARNING|ERROR) django\.request (.+?): (/\S*)", line)
        if match:
            path = re.sub(r"/\d+/", "/{id}/", match[3].split("?")[0])
            key = f"{match[1]} {match[2]}: {path}"
            requests[key] = requests.get(key, 0) + 1
    return alarms[:10] + [f"{n:5d}× {key}" for key, n in sorted(requests.items(), key=lambda kv: -kv[1])]


NUMBERING_SQL = """
SELECT c.contract_id, c.year, c.last,
       (SELECT count(DISTINCT t.number) FROM servicedesk_ticket t
         WHERE t.contract_id = c.contract_id AND t.number LIKE 'SL-' || c.year || '-%')
FROM servicedesk_ticketcounter c ORDER BY 1, 2
"""


def integrity_checks(env: dict[str, str], db_name: str) -> list[tuple[bool, str]]:
    """What concurrent writes must not break: the audit hash chain (one global chain
    head) and gap-free ticket numbers (one counter row per contract and year)."""
    results = []
    try:
        out = manage(env, "audit_verify", timeout=300).strip()
        results.append((True, f"weibao audit_verify: {out}"))
    except SetupError as exc:
        results.append((False, str(exc).strip()))
    rows = subprocess.run(
        ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db_name, "-Atc", NUMBERING_SQL],
        capture_output=True, text=True, timeout=60,
    )
    if rows.returncode != 0:
        return [*results, (False, f"ticket numbering query failed: {rows.stderr.strip()}")]
    for line in rows.stdout.split():
        contract, year, last, numbers = line.split("|")
        ok = last == numbers
        results.append((ok, f"ticket numbers, contract {contract} {year}: counter at {last}, "
                            f"{numbers} distinct numbers{'' if ok else ' — GAP OR DUPLICATE'}"))
    return results
