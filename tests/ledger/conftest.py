import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from weibao.ledger.models import HandoverItem, PaymentMilestone, PenaltyRule

CONTRACTS = Path(__file__).parent / "contracts"


@pytest.fixture
def seed_text() -> str:
    return (CONTRACTS / "seed" / "seed_htdz202602135.txt").read_text(encoding="utf-8")


@pytest.fixture
def seed_ledger(contract):
    """The seed's clause 七 schedule and clause 九 rules on the ``contract`` fixture."""
    contract.amount_in_words = "壹佰叁拾柒万元整"
    contract.signed_on = dt.date(2026, 2, 2)
    contract.save()
    advance = PaymentMilestone.objects.create(
        contract=contract, sequence=1, kind="advance", name="预付款", ratio=Decimal("0.3"),
        amount=Decimal("411000.00"), due_on=dt.date(2026, 3, 9))
    final = PaymentMilestone.objects.create(
        contract=contract, sequence=2, kind="final", name="尾款", ratio=Decimal("0.7"),
        amount=Decimal("959000.00"), due_on=dt.date(2027, 4, 7), requires_handover=True)
    HandoverItem.objects.create(contract=contract, sequence=1, title="运维文档移交")
    HandoverItem.objects.create(contract=contract, sequence=2, title="交接会议纪要签字")
    confidentiality = PenaltyRule.objects.create(
        contract=contract, key="confidentiality", name="保密", clause="九.3", liable="b", base="total",
        rate=Decimal("0.0003"), per="once")
    late = PenaltyRule.objects.create(
        contract=contract, key="late_payment", name="逾期付款", clause="九.4", liable="a", base="amount_due",
        rate=Decimal("0.0003"), per="day")
    return {"advance": advance, "final": final, "confidentiality": confidentiality, "late": late}
