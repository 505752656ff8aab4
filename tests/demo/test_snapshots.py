"""Copies of the test database (``weibao.testing.snapshots``): what the demo-data modules
get, and what the database holds again after them."""

from __future__ import annotations

import pytest
from django.db import transaction

from weibao.contracts.models import Contract
from weibao.testing.factories import ContractFactory
from weibao.testing.snapshots import DatabaseCopy

pytestmark = pytest.mark.django_db(transaction=True)


def test_putting_a_copy_back_undoes_what_was_written_after_it():
    ContractFactory(number="HT-BEFORE")
    copy = DatabaseCopy.take()
    if copy is None:
        pytest.skip("this database cannot be copied (only in-memory SQLite and PostgreSQL)")
    try:
        ContractFactory(number="HT-AFTER")
        Contract.objects.filter(number="HT-BEFORE").update(name="改过的名字")
        copy.put_back()
        assert list(Contract.objects.values_list("number", flat=True)) == ["HT-BEFORE"]
        assert Contract.objects.get().name != "改过的名字"
        ContractFactory(number="HT-AGAIN")  # ids continue past the restored rows
        copy.put_back()  # and a copy can be put back more than once
        assert list(Contract.objects.values_list("number", flat=True)) == ["HT-BEFORE"]
    finally:
        copy.close()


def test_a_copy_is_not_taken_inside_a_transaction():
    with transaction.atomic(), pytest.raises(AssertionError):
        DatabaseCopy.take()
