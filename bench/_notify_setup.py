"""Shared set-up of the notification benchmarks: a fresh SQLite database and SQLite Huey
queue in a temporary directory (or DATABASE_URL if given), migrated, with one contract,
its members (contact profiles), a platform gateway and a group robot."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("WEIBAO_VAR_DIR", tempfile.mkdtemp(prefix="weibao-bench-notify-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
os.environ.setdefault("WEIBAO_MODE", "demo")
os.environ.setdefault("WEIBAO_NOTIFY_HOSTS", "*")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from weibao.core import stored_secrets  # noqa: E402


def prepare(people: int = 5, endpoint: str = "http://127.0.0.1:9/"):
    from weibao.contracts.models import Contract
    from weibao.notifications.models import ContactProfile, NotificationChannel
    from weibao.testing.factories import ContractFactory, MembershipFactory, UserFactory

    call_command("migrate", verbosity=0)
    contract = Contract.objects.filter(number="BENCH-NOTIFY").first() or ContractFactory(number="BENCH-NOTIFY")
    users = []
    for n in range(people):
        user = UserFactory(username=f"bench-notify-{os.getpid()}-{n}", email=f"p{n}@example.cn")
        MembershipFactory(contract=contract, user=user, role="oncall_engineer")
        ContactProfile.objects.create(user=user, mobile=f"1380000{n:04d}")
        users.append(user)
    gateway = NotificationChannel.objects.create(
        contract=None, name="bench gateway", kind="gateway", endpoint=stored_secrets.protect(endpoint))
    robot = NotificationChannel.objects.create(
        contract=contract, name="bench robot", kind="webhook", endpoint=stored_secrets.protect(endpoint),
        secret=stored_secrets.protect("s"))
    return contract, users, gateway, robot
