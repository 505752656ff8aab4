"""Support for the real-browser journeys (tests/browser): Debian's chromium and the login
flow with its second factor (the demo data's fast restore is ``testing.snapshots``).

Nothing here downloads a browser: government intranets have no internet, and CI
installs Debian's ``chromium`` package (``make browser``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
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
    ``drain()`` waits for the request in flight (before the test's database teardown);
    ``held()`` keeps requests out while the test writes itself.
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

    @contextlib.contextmanager
    def held(self):
        """While the test itself writes to the database: no request runs meanwhile (a
        fetch still in flight finishes first)."""
        if not self.lock.acquire(timeout=self.timeout):
            raise TimeoutError("a request held the live server for the whole timeout")
        try:
            yield
        finally:
            self.lock.release()


def results_dir(root: Path) -> Path:
    path = root / "test-results" / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path
