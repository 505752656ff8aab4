"""A real IMAP peer for the mail tests: Debian's dovecot (``make peers`` installs it), started
on 127.0.0.1 with a throwaway configuration in a temporary directory: plain IMAP with
STARTTLS on one port, implicit TLS on another, a self-signed certificate for ``localhost``
made by the test, fifty accounts in a passwd file (each test takes a fresh one), maildirs
owned by ``nobody``.

Without the binary, or not as root (dovecot switches to the mail user), the tests skip
saying why; under ``CI=1`` they fail instead."""

from __future__ import annotations

import imaplib
import itertools
import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
PASSWORD = "secret"
ACCOUNTS = 50


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable() -> str | None:
    """Why dovecot cannot run here (None: it can)."""
    if DOVECOT is None:
        return "dovecot is not installed (make peers: apt-get install dovecot-imapd)"
    if os.geteuid() != 0:
        return "dovecot needs root here to switch to the mail user"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = weibao-test-{pid}
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
"""


@dataclass
class Dovecot:
    root: Path
    ca_pem: str
    plain_port: int = field(default_factory=_free_port)
    tls_port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None
    _users: itertools.count = field(default_factory=lambda: itertools.count(1))

    def start(self) -> None:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(exist_ok=True)
        shutil.chown(self.root / "home", "nobody", "nogroup")
        # All accounts up front: a passwd file changed within the second it was read is not
        # always read again.
        (self.root / "passwd").write_text("".join(f"desk{n}:{{PLAIN}}{PASSWORD}\n" for n in range(1, ACCOUNTS + 1)))
        conf = self.root / "dovecot.conf"
        conf.write_text(CONFIG.format(root=self.root, pid=os.getpid(), plain_port=self.plain_port,
                                      tls_port=self.tls_port))
        # -F: in the foreground, a child of this process, ended by its pid.
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.tls_port), timeout=1).close()
                socket.create_connection(("127.0.0.1", self.plain_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not listen within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def account(self) -> str:
        """A new, empty account (password ``secret``)."""
        number = next(self._users)
        assert number <= ACCOUNTS, "more accounts than the passwd file holds"
        return f"desk{number}"

    def session(self, user: str) -> imaplib.IMAP4:
        """The test's own look at an account (STARTTLS, the test CA trusted)."""
        client = imaplib.IMAP4("localhost", self.plain_port, timeout=10)
        client.starttls(ssl_context=ssl.create_default_context(cadata=self.ca_pem))
        client.login(user, PASSWORD)
        return client

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = self.session(user)
        try:
            status, answer = client.append(folder, None, None, raw)
            assert status == "OK", answer
        finally:
            client.logout()

    def folder(self, user: str, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID → flags of each message in ``folder`` (an IMAP wire name)."""
        client = self.session(user)
        try:
            status, _ = client.select(folder, readonly=True)
            if status != "OK":
                return {}
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
            found = {}
            for item in data:
                if not item:
                    continue
                text = item.decode() if isinstance(item, bytes) else item[0].decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (")[1].split(")")[0].split()
                found[uid] = set(flags)
            return found
        finally:
            client.logout()


def start_dovecot(root: Path, ca_pem: str) -> Dovecot:
    reason = unavailable()
    if reason:
        if _in_ci():
            pytest.fail(f"CI needs the real IMAP peer: {reason}")
        pytest.skip(reason)
    server = Dovecot(root, ca_pem)
    server.start()
    return server
