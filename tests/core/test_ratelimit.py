"""The database rate limiter counts over a sliding window, not calendar slots."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import close_old_connections, connection, transaction

from weibao.core import ratelimit
from weibao.core.models import RateCounter

pytestmark = pytest.mark.django_db

WINDOW = timedelta(minutes=10)
#: One second before a 10-minute boundary (10:09:59), where a fixed window resets.
JUST_BEFORE_BOUNDARY = datetime(2026, 11, 24, 2, 9, 59, tzinfo=UTC)


def test_a_burst_across_a_window_boundary_gets_no_more_than_the_limit(clock):
    clock.set_now(JUST_BEFORE_BOUNDARY)
    assert [ratelimit.hit("k", limit=5, window=WINDOW) for _ in range(5)] == [True] * 5
    clock.advance(timedelta(seconds=2))  # a fixed window would start afresh here
    assert ratelimit.hit("k", limit=5, window=WINDOW) is False
    assert ratelimit.over("k", limit=5, window=WINDOW)


def test_attempts_come_back_as_the_oldest_ones_leave_the_window(clock):
    clock.set_now(JUST_BEFORE_BOUNDARY)
    for _ in range(3):
        assert ratelimit.hit("k", limit=5, window=WINDOW)
    clock.advance(timedelta(minutes=5))
    assert ratelimit.hit("k", limit=5, window=WINDOW)
    assert ratelimit.hit("k", limit=5, window=WINDOW)
    assert not ratelimit.hit("k", limit=5, window=WINDOW)
    clock.advance(timedelta(minutes=5, seconds=1))  # the first three are older than 10 minutes
    assert [ratelimit.hit("k", limit=5, window=WINDOW) for _ in range(4)] == [True, True, True, False]


def test_refused_attempts_are_not_stored_unless_asked(clock):
    clock.set_now(JUST_BEFORE_BOUNDARY)
    for _ in range(50):
        ratelimit.hit("k", limit=2, window=WINDOW)
    assert sum(RateCounter.objects.filter(key="k").values_list("count", flat=True)) == 2
    # A login failure is counted even from an address already over its limit.
    for _ in range(3):
        assert not ratelimit.hit("k", limit=2, window=WINDOW, count_refused=True)
    clock.advance(WINDOW - timedelta(seconds=1))
    assert ratelimit.over("k", limit=2, window=WINDOW)


def test_keys_are_counted_apart_and_pruned(clock):
    clock.set_now(JUST_BEFORE_BOUNDARY)
    assert ratelimit.hit("a", limit=1, window=WINDOW)
    assert ratelimit.hit("b", limit=1, window=WINDOW)
    assert not ratelimit.hit("a", limit=1, window=WINDOW)
    clock.advance(timedelta(days=2))
    ratelimit.prune()
    assert not RateCounter.objects.exists()
    assert ratelimit.hit("a", limit=1, window=WINDOW)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_all_slip_under_the_limit(clock):
    if connection.vendor == "sqlite":
        # The test database is shared-cache in-memory SQLite, whose table locks refuse a
        # concurrent writer at once ("table is locked"); the PostgreSQL run checks this.
        pytest.skip("concurrency is checked on PostgreSQL")
    clock.set_now(JUST_BEFORE_BOUNDARY)
    start = threading.Barrier(8)
    answers: list[bool] = []

    def request():
        try:
            start.wait()
            with transaction.atomic():  # as ATOMIC_REQUESTS wraps a view
                answers.append(ratelimit.hit("busy", limit=3, window=WINDOW))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 5 + [True] * 3


def test_retry_after_says_when_the_oldest_attempts_leave_the_window(clock):
    clock.set_now(JUST_BEFORE_BOUNDARY)
    assert ratelimit.retry_after("k", limit=2, window=WINDOW) == timedelta(0)
    ratelimit.hit("k", limit=2, window=WINDOW)
    clock.advance(timedelta(minutes=3))
    ratelimit.hit("k", limit=2, window=WINDOW)
    clock.advance(timedelta(minutes=1))
    assert ratelimit.retry_after("k", limit=2, window=WINDOW) == timedelta(minutes=6)
    assert ratelimit.retry_after("k", limit=3, window=WINDOW) == timedelta(0)
    clock.advance(timedelta(minutes=6))
    assert ratelimit.hit("k", limit=2, window=WINDOW)
