"""Odd values — the ones outside testers sent — in every parameter and path hole of
the pages: nothing answers 5xx, nothing of the seed contract changes (``walk.odd_walk``)."""

from __future__ import annotations

import pytest

from .walk import odd_walk

pytestmark = pytest.mark.django_db


# The longest walk of the suite, in shards a parallel run spreads over its processes
# (tests/conftest.py's TEST_BY_TEST).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_odd_values_in_every_parameter_and_id_of_the_pages_answer_no_5xx(
    seeded, client_for, api_client_for, keys_read, shard
):
    fed = odd_walk(seeded, client_for, api_client_for, keys_read, api=False, shard=shard, shards=SHARDS)
    assert fed > 250, fed
