"""The demo's reveals: the auditor's list has rows, and loading twice adds none."""

import pytest

from weibao.audit.models import AuditRecord
from weibao.contracts.models import Contract
from weibao.demo import load_all

pytestmark = pytest.mark.django_db


def test_the_demo_reveals_load_twice_without_duplicates(demo_data):
    load_all()  # the second load, on the demo data
    seed = Contract.objects.get(number="HTDZ202602135")
    reveals = AuditRecord.objects.filter(contract_id=seed.pk, action="ticket.personal_data.read")
    assert reveals.count() == 2
    assert all(r.detail.get("reason") and r.actor_username == "agent" for r in reveals)
