"""The IMAP poller and the worker together on SQLite (issue 20 item 5): attempts and failures.

    .venv/bin/python bench/mail_sqlite_concurrency.py [--messages 120] [--workers 2]
        [--busy-timeout 0.2] [--hold 0.3] [--gap 0.3] [--no-retry] [--dir DIR]

Migrates a fresh file-based SQLite database (WAL, IMMEDIATE transactions: the settings of
the embedded default) in ``--dir`` (a temporary directory by default), makes one contract
with one IMAP mailbox that marks stored mail seen, then runs at once, each thread with
its own database connection:

- the poller: messages arrive on an in-process IMAP folder a few at a time, and the
  poller (``imap.poll``, the worker's periodic task) stores them;
- ``--workers`` workers processing what was stored (``inbound.process_safely``, what the
  queued task runs), taking ids as the queue would hand them out;
- another writer: background work of other apps holding write transactions of
  ``--hold`` seconds, ``--gap`` seconds apart, so the poller and the workers meet a
  locked database about half the time.

The busy timeout is cut from the settings' 20 s to ``--busy-timeout`` so that a run takes
seconds: what matters is a lock held longer than the timeout, which the other writer
makes happen on purpose. ``--no-retry`` runs with ``weibao.core.db_retry`` doing one
attempt (the behaviour before the retry: a refusal marks the mail failed for the sweep).

Prints processing attempts, mails failed, retries, poll errors, and the checks: every
message stored once, every stored mail processed, one ticket each. Exits 1 when a check
fails or any processing failed.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--busy-timeout", type=float, default=0.2)
    parser.add_argument("--hold", type=float, default=0.3)
    parser.add_argument("--gap", type=float, default=0.3)
    parser.add_argument("--no-retry", action="store_true")
    parser.add_argument("--dir", default="")
    return parser.parse_args(argv)


ARGS = parse_args()
VAR_DIR = ARGS.dir or tempfile.mkdtemp(prefix="weibao-mail-bench-")
os.environ["WEIBAO_VAR_DIR"] = VAR_DIR
os.environ.pop("DATABASE_URL", None)  # the embedded default, whatever the shell says
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
os.environ["WEIBAO_MODE"] = "test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection, connections, transaction  # noqa: E402

from weibao.contracts.models import Contract  # noqa: E402
from weibao.core import db_retry  # noqa: E402
from weibao.mailchannel.models import InboundMail, Mailbox  # noqa: E402
from weibao.mailchannel.services import imap, inbound  # noqa: E402
from weibao.servicedesk.models import Ticket  # noqa: E402
from weibao.servicedesk.services.defaults import install_defaults  # noqa: E402
from weibao.testing.factories import ContractFactory  # noqa: E402


class Folder:
    """An IMAP folder as imaplib answers for it; messages are added while it is polled."""

    def __init__(self):
        self.messages: dict[int, bytes] = {}
        self.seen: set[int] = set()
        self.lock = threading.Lock()

    def add(self, uid: int):
        raw = (
            f"From: 张三{uid} <citizen{uid}@shilong.gov.cn>\r\nTo: support@weibao.test\r\n"
            f"Subject: 办事大厅第{uid}号咨询\r\nMessage-ID: <bench-{uid}@shilong.gov.cn>\r\n"
            f"Date: Sun, 06 Dec 2026 10:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"请问社保卡补办需要哪些材料？编号 {uid}。\r\n"
        ).encode()
        with self.lock:
            self.messages[uid] = raw

    def session(self, mailbox):
        return Session(self)


class Session:
    def __init__(self, folder: Folder):
        self.folder = folder

    def login(self, user, password):
        return "OK", [b"LOGIN completed"]

    def select(self, name):
        return "OK", [str(len(self.folder.messages)).encode()]

    def response(self, code):
        with self.folder.lock:
            top = max(self.folder.messages, default=0)
        return code, [str(top + 1 if code == "UIDNEXT" else 1).encode()]

    def capability(self):
        return "OK", [b"IMAP4rev1 MOVE UIDPLUS"]

    def uid(self, command, *args):
        with self.folder.lock:
            if command == "SEARCH":
                low = int(args[1].split()[1].split(":")[0])
                found = [u for u in sorted(self.folder.messages) if u >= low] or sorted(self.folder.messages)[-1:]
                return "OK", [" ".join(map(str, found)).encode()]
            if command == "FETCH":
                raw = self.folder.messages[int(args[0])]
                return "OK", [(f"1 (UID {args[0]} BODY[] {{{len(raw)}}}".encode(), raw), b")"]
            if command == "STORE":
                self.folder.seen.update(int(u) for u in args[0].split(","))
                return "OK", []
        raise AssertionError(command)

    def logout(self):
        return "BYE", []


def setup() -> Mailbox:
    call_command("migrate", verbosity=0, interactive=False)
    contract = ContractFactory(number="HT-BENCH-MAIL", name="石龙区政务服务平台维保（收信压测）")
    install_defaults(contract)
    mailbox = Mailbox.objects.create(
        contract=contract, address="support@weibao.test", imap_host="imap.example.cn", imap_user="desk",
        imap_password="secret", imap_after_store="seen",
    )
    # Positioned as after a first poll of an empty folder: everything that arrives is new.
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_position_of=mailbox.imap_position, imap_uidvalidity=1)
    connection.close()
    return mailbox


def main() -> int:
    mailbox = setup()
    # The settings' busy timeout, shortened (see the module docstring); each thread's new
    # connection reads it.
    connections.settings["default"]["OPTIONS"]["timeout"] = ARGS.busy_timeout
    if ARGS.no_retry:
        db_retry.ATTEMPTS = 1
    folder = Folder()
    ids: queue.Queue = queue.Queue()
    # The queue: what receive() hands to the worker after commit.
    inbound._process_later = ids.put
    done = threading.Event()
    counts = {"attempts": 0, "failed": 0, "polls": 0, "poll_errors": 0, "other_writes": 0, "other_locked": 0}
    count_lock = threading.Lock()

    def bump(key, n=1):
        with count_lock:
            counts[key] += n

    def poll_once():
        bump("polls")
        try:
            imap.poll(Mailbox.objects.get(pk=mailbox.pk), connect=folder.session)
        except imap.PollInProgress:
            return
        except OperationalError:  # the lease could not be taken or given back
            bump("poll_errors")
            for _ in range(100):  # the lease left behind would block the next poll for 5 minutes
                try:
                    Mailbox.objects.filter(pk=mailbox.pk).update(imap_polling_until=None)
                    break
                except OperationalError:
                    time.sleep(0.05)
            return
        if Mailbox.objects.values_list("last_poll_error", flat=True).get(pk=mailbox.pk):
            bump("poll_errors")

    def poller():
        try:
            for uid in range(1, ARGS.messages + 1):
                folder.add(uid)
                if uid % 5 == 0 or uid == ARGS.messages:
                    poll_once()
            # Until everything is stored (a poll that failed is made good by the next one).
            for _ in range(50):
                if Mailbox.objects.get(pk=mailbox.pk).imap_last_uid >= ARGS.messages:
                    break
                poll_once()
        finally:
            connection.close()

    def worker():
        try:
            while not (done.is_set() and ids.empty()):
                try:
                    pk = ids.get(timeout=0.1)
                except queue.Empty:
                    continue
                bump("attempts")
                try:
                    if inbound.process_safely(pk).status == InboundMail.Status.FAILED:
                        bump("failed")
                except OperationalError:  # not even the failure could be recorded
                    bump("failed")
        finally:
            connection.close()

    def other_writer():
        try:
            while not done.is_set():
                try:
                    with transaction.atomic():
                        Contract.objects.filter(number="HT-BENCH-MAIL").update(name="石龙区政务服务平台维保（收信压测）")
                        time.sleep(ARGS.hold)
                    bump("other_writes")
                except OperationalError:
                    bump("other_locked")
                time.sleep(ARGS.gap)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=other_writer), threading.Thread(target=poller)]
    threads += [threading.Thread(target=worker) for _ in range(ARGS.workers)]
    for thread in threads:
        thread.start()
    threads[1].join()
    done.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    stored = InboundMail.objects.count()
    processed = InboundMail.objects.filter(status=InboundMail.Status.PROCESSED).count()
    failed_now = InboundMail.objects.filter(status=InboundMail.Status.FAILED).count()
    tickets = Ticket.objects.count()
    print(f"SQLite {VAR_DIR}/weibao.sqlite3, busy timeout {ARGS.busy_timeout}s, other writer holds {ARGS.hold}s, "
          f"retry {'off' if ARGS.no_retry else f'on ({db_retry.ATTEMPTS} attempts)'}")
    print(f"messages {ARGS.messages}, polls {counts['polls']} (with an error: {counts['poll_errors']}), "
          f"workers {ARGS.workers}, {elapsed:.1f}s")
    print(f"processing attempts {counts['attempts']}, failed {counts['failed']}; "
          f"retried after 'database is locked' {db_retry.stats['retried']}, gave up {db_retry.stats['gave_up']}")
    print(f"other writer: {counts['other_writes']} transactions, {counts['other_locked']} refused")
    checks = {
        "every message stored once": stored == ARGS.messages,
        "every stored mail processed": processed == stored and failed_now == 0,
        "one ticket per message": tickets == ARGS.messages,
        "every message marked seen": folder.seen == set(range(1, ARGS.messages + 1)),
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    print(f"RESULT attempts={counts['attempts']} failures={counts['failed']} poll_errors={counts['poll_errors']} "
          f"checks={'ok' if all(checks.values()) else 'failed'}")
    return 0 if all(checks.values()) and counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
