"""Fixtures of the URL walks: the seed contract's ids and secrets, and a spy on the request
parameters the code under test reads."""

from __future__ import annotations

import pytest
from django.apps import apps

from weibao.contracts.scoping import ContractScopedModel
from weibao.testing.demo import demo_loaded

from .walk import TEXT_VALUES


@pytest.fixture(scope="package")
def demo_data(django_db_setup, django_db_blocker):
    """One load of the demo data for every file of this package (the walks, the
    permission matrix): each load costs ~25 s on SQLite, more on PostgreSQL."""
    yield from demo_loaded(django_db_blocker)


@pytest.fixture
def seeded(demo_data, db):
    from weibao.accounts.models import User
    from weibao.contracts.models import Contract
    from weibao.servicedesk.models import Ticket

    seed = Contract.objects.get(number="HTDZ202602135")
    secrets = [seed.number, seed.name, "王建国", "13803750001", "1707020119020195607"]
    ids = {seed.pk}
    for model in apps.get_models():
        if issubclass(model, ContractScopedModel):
            rows = model.objects.filter(contract=seed).order_by("pk").values_list("pk", flat=True)
            ids.update(rows[:1])  # one row of each kind reaches every detail route
    ticket = Ticket.objects.filter(contract=seed).order_by("pk").first()
    texts = [*TEXT_VALUES, ticket.number]
    return seed, secrets, sorted(ids), texts, User.objects.get(username="other_pm")


@pytest.fixture
def keys_read(monkeypatch):
    """Names the code under test looks up in a query or form (QueryDict), as a set to clear."""
    from django.http import QueryDict
    from django.utils.datastructures import MultiValueDict

    seen: set[str] = set()
    for name in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(MultiValueDict, name)

        def spy(self, key, *args, _original=original, **kwargs):
            if isinstance(self, QueryDict) and isinstance(key, str):  # not the URL resolver's
                seen.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(MultiValueDict, name, spy)
    return seen


