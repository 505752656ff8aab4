"""Tasks queued together (``core.queue.enqueue_all``): on the SQLite queue one write for
all of them, and a consumer gets each as if it had been queued alone, in order."""

from __future__ import annotations

import pytest
from huey import MemoryHuey, SqliteHuey

from weibao.core import queue


@pytest.fixture
def sqlite_huey(tmp_path, monkeypatch):
    from huey.contrib import djhuey

    huey = SqliteHuey("weibao-queue-test", filename=str(tmp_path / "queue.sqlite3"))
    monkeypatch.setattr(djhuey, "HUEY", huey)
    return huey


def _task(huey, calls):
    @huey.task()
    def remember(n, word="x"):
        calls.append((n, word))
        return n

    return remember


def test_queued_together_in_one_write_and_run_in_order(sqlite_huey):
    calls = []
    remember = _task(sqlite_huey, calls)
    writes = []
    original = sqlite_huey.storage.db

    def counting(*args, **kwargs):
        if kwargs.get("commit"):
            writes.append(1)
        return original(*args, **kwargs)

    sqlite_huey.storage.db = counting
    queue.enqueue_all([remember.s(n, word=f"w{n}") for n in range(5)])
    assert len(writes) == 1  # one transaction for the five
    assert sqlite_huey.pending_count() == 5
    while (task := sqlite_huey.dequeue()) is not None:
        sqlite_huey.execute(task)
    assert calls == [(n, f"w{n}") for n in range(5)]


def test_a_queue_of_another_kind_gets_them_one_by_one(monkeypatch):
    from huey.contrib import djhuey

    huey = MemoryHuey("weibao-queue-memory", immediate=False)
    monkeypatch.setattr(djhuey, "HUEY", huey)
    calls = []
    remember = _task(huey, calls)
    queue.enqueue_all([remember.s(1), remember.s(2)])
    assert huey.pending_count() == 2
    huey.execute(huey.dequeue())
    huey.execute(huey.dequeue())
    assert calls == [(1, "x"), (2, "x")]


def test_nothing_to_queue_writes_nothing(sqlite_huey):
    queue.enqueue_all([])
    assert sqlite_huey.pending_count() == 0


@pytest.mark.skipif(not __import__("os").environ.get("REDIS_URL"), reason="needs the Redis of CI (REDIS_URL)")
@pytest.mark.parametrize("kind", ["PriorityRedisHuey", "RedisHuey"])
def test_on_redis_in_one_round_trip_and_run_in_order(monkeypatch, kind):
    import os

    import huey
    from huey.contrib import djhuey

    queue_huey = getattr(huey, kind)(f"weibao-queue-test-{os.getpid()}", url=os.environ["REDIS_URL"])
    queue_huey.flush()
    monkeypatch.setattr(djhuey, "HUEY", queue_huey)
    calls = []
    remember = _task(queue_huey, calls)
    sent = []
    original = type(queue_huey.storage.conn).execute_command

    def counting(self, *args, **kwargs):
        sent.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(queue_huey.storage.conn), "execute_command", counting)
    queue.enqueue_all([remember.s(n) for n in range(4)])
    assert sent == []  # all four went through the pipeline, none alone
    assert queue_huey.pending_count() == 4
    while (task := queue_huey.dequeue()) is not None:
        queue_huey.execute(task)
    assert sorted(calls) == [(n, "x") for n in range(4)]  # (the priority queue orders by microsecond)
    queue_huey.flush()
