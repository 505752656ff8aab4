"""Run the web server, the worker and the scheduler together: one terminal, Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from weibao.core import processes


class Command(BaseCommand):
    help = "Start web server + background worker (with the periodic scheduler) in one go."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument(
            "--server",
            choices=["runserver", "gunicorn"],
            default="gunicorn",
            help="gunicorn (threads, like production) or Django's runserver (auto-reload)",
        )
        parser.add_argument(
            "--mail-port", type=int, default=2525,
            help="SMTP receiver for the service-desk addresses on 127.0.0.1 (0: none)",
        )

    def handle(self, *args, addr: str, server: str, mail_port: int, **options):
        exe = [sys.executable, "-m", "weibao.manage"]
        if server == "gunicorn":
            web = [
                sys.executable, "-m", "gunicorn", "weibao.wsgi:application",
                "-c", "python:weibao.gunicorn_conf",
                "--bind", addr, "--workers", "2", "--threads", "4",
                "--access-logfile", "-", "--timeout", "60",
            ]
        else:
            web = [*exe, "runserver", addr, "--noreload"]
        # The Huey consumer runs the worker threads and the periodic scheduler.
        worker = [*exe, "run_huey", "--flush-locks"]
        env = dict(os.environ)
        # Every argv is built here from sys.executable and fixed words, no shell.
        procs = {"web": processes.start(web, env), "worker": processes.start(worker, env)}
        # The monitors' probe runner (issue 15), a long-running process of its own.
        procs["probes"] = processes.start([*exe, "probes"], env)
        if mail_port:
            receiver = [*exe, "mail_receive", "--smtp", "--host", "127.0.0.1", "--port", str(mail_port)]
            procs["mail"] = processes.start(receiver, env)
        wildcard = "0.0.0.0"  # noqa: S104 - only to print a clickable local address
        host = addr.replace(wildcard, "127.0.0.1", 1) if addr.startswith(wildcard) else addr
        self.stdout.write(self.style.SUCCESS(f"\n维保 Weibao is running: http://{host}/"))
        if settings.DEMO:
            self.stdout.write(
                "Demo logins (password Weibao@2026): pm agent engineer oncall1 liaison viewer "
                "auditor sysauditor sysadmin secadmin other_pm\n"
            )
        if mail_port:
            self.stdout.write(f"Mail to the service-desk addresses: SMTP on 127.0.0.1:{mail_port}\n")
        self.stdout.write("Press Ctrl-C to stop the web server, worker, scheduler and probe runner.\n")

        stopping = False
        presses = 0

        def stop(*_):
            nonlocal stopping, presses
            presses += 1
            if presses > 1:
                self.stderr.write("Stopping now (SIGKILL)…")
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in list(procs.items()):
                    if proc.poll() is None:
                        continue
                    if name == "probes":
                        # Monitoring stops; the web and the worker carry on without it.
                        self.stderr.write(f"probe runner exited (code {proc.returncode}); continuing without it.")
                        del procs[name]
                        continue
                    if name == "mail":
                        # Optional: e.g. the port is taken. Web and worker carry on without it.
                        self.stderr.write(f"mail receiver exited (code {proc.returncode}); continuing without it.")
                        del procs[name]
                        continue
                    self.stderr.write(f"{name} exited with code {proc.returncode}; stopping.")
                    stopping = True
                time.sleep(0.5)
        finally:
            self.stdout.write("Stopping (Ctrl-C again to stop at once)…")
            # A second Ctrl-C skips the grace period; either way nothing is left running.
            processes.stop_all(list(procs.values()), grace=10, hurry=lambda: presses > 1)
