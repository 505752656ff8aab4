"""Odd values — the ones outside testers sent — in every parameter and path hole of
the pages: nothing answers 5xx, nothing of the seed contract changes (``walk.odd_walk``)."""

from __future__ import annotations

import pytest

from .walk import odd_walk

pytestmark = pytest.mark.django_db


# The longest walk of the suite, in shards: each reports its own time, and a failure names
# a quarter of the routes. The package runs in one process (tests/conftest.py's ONE_PROCESS).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_odd_values_in_every_parameter_and_id_of_the_pages_answer_no_5xx(
    seeded, client_for, api_client_for, keys_read, shard
):
    fed = odd_walk(seeded, client_for, api_client_for, keys_read, api=False, shard=shard, shards=SHARDS)
    assert fed > 250, fed
