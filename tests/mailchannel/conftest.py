from __future__ import annotations

from pathlib import Path

import pytest

from weibao.mailchannel.models import Mailbox
from weibao.servicedesk.services.defaults import install_defaults

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def sample():
    def read(name: str, **replace: str) -> bytes:
        raw = (SAMPLES / name).read_bytes()
        for key, value in replace.items():
            raw = raw.replace(f"__{key.upper()}__".encode(), value.encode())
        return raw

    return read


@pytest.fixture
def mailbox(contract):
    install_defaults(contract)
    return Mailbox.objects.create(
        contract=contract, address="support@weibao.test", sender_name="石龙区政务服务运维服务台",
        sender_address="noreply@weibao.test",
    )


@pytest.fixture
def other_mailbox(other_contract):
    install_defaults(other_contract)
    return Mailbox.objects.create(contract=other_contract, address="help@other.test")


@pytest.fixture
def deliver(mailbox, django_capture_on_commit_callbacks):
    """Receive raw mail into ``mailbox`` and run everything that follows, as the worker would."""
    from weibao.mailchannel.services.inbound import receive

    def run(raw: bytes, box=None):
        with django_capture_on_commit_callbacks(execute=True):
            stored = receive(box or mailbox, raw, source="smtp")
        stored.refresh_from_db()
        return stored

    return run


@pytest.fixture
def engineer_on(contract, make_member):
    return make_member(contract, "resident_engineer", username="engineer", email="engineer@vendor.test")
