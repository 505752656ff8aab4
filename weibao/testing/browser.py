"""Support for the real-browser journeys (tests/browser): Debian's chromium, the login
flow with its second factor, and a fast restore of the demo data between tests.

Nothing here downloads a browser: government intranets have no internet, and CI
installs Debian's ``chromium`` package (``make browser``).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

CHROMIUM_PATH = os.environ.get("WEIBAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
DEMO_USERNAMES = [
    "pm",
    "agent",
    "engineer",
    "oncall1",
    "liaison",
    "viewer",
    "auditor",
    "sysauditor",
    "sysadmin",
    "secadmin",
    "other_pm",
]

CJK = re.compile(r"[\u3400-\u9fff]")


class LoginFailed(AssertionError):
    pass


def find_chromium() -> str | None:
    """The chromium executable to drive, or ``None`` when it is not installed."""
    if os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK):
        return CHROMIUM_PATH
    return shutil.which("chromium")


def safe_filename(name: str) -> str:
    """``test_home[pm]`` -> ``test_home-pm``: a file name without brackets or slashes."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    return cleaned or "browser-test"


# --- the second factor ----------------------------------------------------------------


def totp_code(secret: str, last_step: int = 0) -> str:
    """A code the server will accept now: not older than a step the user already used.

    The server accepts the current 30-second step and its neighbours, each only once, so
    a second login within the same step takes the next step's code.
    """
    import pyotp

    now_step = int(time.time()) // 30
    step = max(now_step, last_step + 1)
    if step > now_step + 1:  # both usable steps are spent: wait for the next one
        time.sleep((now_step + 1) * 30 - time.time() + 0.05)
        return totp_code(secret, last_step)
    return pyotp.TOTP(secret).at(step * 30)


def _last_step(username: str) -> int:
    from weibao.accounts.models import User

    return User.objects.only("totp_last_step").get(username=username).totp_last_step


def _stored_secret(username: str) -> str:
    from weibao.accounts.models import User

    return User.objects.only("totp_secret").get(username=username).totp_secret


# --- logging in --------------------------------------------------------------------------


def _path(page) -> str:
    return urlsplit(page.url).path


def _submit(page, form_selector: str = "main form") -> None:
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def login(page, username: str, password: str | None = None, *, next_url: str = "/") -> str:
    """Log in through the real form, as a person would.

    Handles what the app may ask next: enrolling TOTP (the code is computed from the
    secret the setup page shows), a TOTP code (from the user's stored secret), or a
    password change (to a new valid password). Returns the password now in force.
    """
    from weibao.demo.seed import DEMO_PASSWORD

    password = password or DEMO_PASSWORD
    target = "/accounts/login/" + (f"?{urlencode({'next': next_url})}" if next_url != "/" else "")
    page.goto(target)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    _submit(page)
    for _ in range(4):  # at most: setup or verify, password change, landing page
        path = _path(page)
        if path == "/accounts/login/":
            alert = page.locator("[role=alert], .messages, .field-error")
            text = alert.all_inner_texts() if alert.count() else []
            raise LoginFailed(f"login of {username!r} refused: {text}")
        if path == "/accounts/otp/setup/":
            secret = page.locator("code.secret").inner_text().strip()
            page.locator("input[name=code]").fill(totp_code(secret, _last_step(username)))
            _submit(page)
            continue
        if path == "/accounts/otp/":
            code = totp_code(_stored_secret(username), _last_step(username))
            page.locator("input[name=code]").fill(code)
            _submit(page)
            continue
        if path == "/accounts/password/":
            new_password = f"Wb#{username}-2027-Renewed"
            page.locator("input[name=old_password]").fill(password)
            page.locator("input[name=new_password1]").fill(new_password)
            page.locator("input[name=new_password2]").fill(new_password)
            _submit(page)
            if _path(page) == "/accounts/password/":
                errors = page.locator(".field-error").all_inner_texts()
                raise LoginFailed(f"password change of {username!r} refused: {errors}")
            password = new_password
            page.goto(next_url)
            continue
        break
    return password


# --- the live server, one request at a time ---------------------------------------------

# Keeps Chromium from asking for /favicon.ico (no page links one) behind the test's back:
# that request cannot be intercepted and could hit the database in mid-teardown.
NO_FAVICON_SCRIPT = """
document.addEventListener("DOMContentLoaded", () => {
  if (!document.querySelector("link[rel~=icon]")) {
    const link = document.createElement("link");
    link.rel = "icon";
    link.href = "data:,";
    document.head.appendChild(link);
  }
});
"""


class _Releasing:
    """The response body of a serialised request: the lock is held until the server
    has sent it (a streamed export may read the database while it is sent)."""

    def __init__(self, result, lock) -> None:
        self._result = result
        self._lock = lock
        self._released = False

    def __iter__(self):
        return iter(self._result)

    def __len__(self) -> int:  # wsgiref asks, to set Content-Length for one-block bodies
        return len(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            if not self._released:
                self._released = True
                self._lock.release()


class SerialApp:
    """A WSGI wrapper that lets one request at a time reach Django.

    On the in-memory SQLite test database the live server's threads and the test share
    one connection; concurrent requests on it fail with "database table is locked".
    ``drain()`` waits for the request in flight (before the test's database teardown).
    """

    def __init__(self, app, timeout: float = 30.0) -> None:
        import threading

        self.app = app
        self.lock = threading.Lock()
        self.timeout = timeout

    def __call__(self, environ, start_response):
        acquired = self.lock.acquire(timeout=self.timeout)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            if acquired:
                self.lock.release()
            raise
        if not acquired:
            return result
        return _Releasing(result, self.lock)

    def drain(self) -> None:
        if self.lock.acquire(timeout=self.timeout):
            self.lock.release()


# --- the demo data, loaded once and restored before each test --------------------------


class DemoSnapshot:
    """The demo data (``weibao.demo.load_all``) takes seconds to build, and a
    transactional test empties the database afterwards. Build it once, keep a copy, and
    put the copy back before every test:

    - in-memory SQLite (the default test database): SQLite's backup API, both ways;
    - PostgreSQL: ``COPY ... TO STDOUT`` of every model table, then ``TRUNCATE`` and
      ``COPY ... FROM STDIN`` in one transaction (foreign keys are checked at commit),
      and the id sequences moved past the restored rows;
    - anything else: ``load_all()`` before each test.
    """

    def __init__(self) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._tables: dict[str, bytes] | None = None

    def load(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        from weibao.demo import load_all

        assert not connection.in_atomic_block, "restore the demo data outside a transaction"
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            connection.ensure_connection()
            if self._sqlite is None:
                load_all()
                self._sqlite = sqlite3.connect(":memory:", check_same_thread=False)
                connection.connection.backup(self._sqlite)
            else:
                self._sqlite.backup(connection.connection)
        elif connection.vendor == "postgresql":
            if self._tables is None:
                load_all()
                self._tables = self._pg_dump(connection)
            else:
                self._pg_restore(connection, self._tables)
        else:
            load_all()
        ContentType.objects.clear_cache()
        # The search index is cached per process under a version the restore winds back.
        from weibao.knowledge.search import clear_cache

        clear_cache()

    @staticmethod
    def _pg_dump(connection) -> dict[str, bytes]:
        tables = sorted(connection.introspection.django_table_names(only_existing=True))
        quote = connection.ops.quote_name
        dump = {}
        with connection.cursor() as cursor:
            for table in tables:
                # The SELECT form: a partitioned table (raw probe results) has no rows of
                # its own to COPY; its partitions' rows come through the parent.
                with cursor.cursor.copy(f"COPY (SELECT * FROM {quote(table)}) TO STDOUT") as copy:  # noqa: S608 - Django table names
                    dump[table] = b"".join(bytes(chunk) for chunk in copy)
        return dump

    @staticmethod
    def _pg_restore(connection, dump: dict[str, bytes]) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import transaction

        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in dump) + " CASCADE")
            for table, data in dump.items():
                if data:
                    with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                        copy.write(data)
            models = apps.get_models(include_auto_created=True)
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        self._tables = None


def results_dir(root: Path) -> Path:
    path = root / "test-results" / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path
