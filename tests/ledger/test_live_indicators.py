"""The obligations matrix reads residency, 7×24 coverage, staff compliance and training
from the on-call and people apps, instead of "暂无数据"."""

from __future__ import annotations

import datetime as dt

import pytest

from weibao.ledger.obligations import matrix

pytestmark = pytest.mark.django_db


def _row(contract, key):
    return next(r for r in matrix(contract, dt.date(2026, 11, 1), dt.date(2026, 11, 30)) if r["key"] == key)


def test_with_no_schedule_the_contract_is_uncovered_and_residency_short(contract, pm, clock):
    coverage = _row(contract, "oncall_coverage")
    assert coverage["status"] == "breached" and "空档" in str(coverage["indicator"])
    residency = _row(contract, "residency")
    assert residency["status"] == "breached"


def test_staff_and_training_say_when_no_register_is_kept(contract, pm, clock):
    assert _row(contract, "staff_insurance")["status"] == "no_data"
    assert _row(contract, "training")["status"] == "no_data"
