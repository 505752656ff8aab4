"""Several tasks put on the queue at once, in one write where the storage allows it: the
SQLite queue in one transaction instead of one per task (each waits for the file's lock and
syncs it), Redis in one pipelined round trip; one by one elsewhere. What a consumer then
runs is the same as if each had been queued alone."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from huey.api import Task
from huey.storage import RedisStorage, SqliteStorage


def enqueue_all(tasks: Sequence[Task]) -> None:
    """Queue ``tasks`` (``some_task.s(arg)``) in order; raises as ``enqueue`` would."""
    from huey.contrib.djhuey import HUEY

    storage = HUEY.storage
    if not tasks:
        return
    if HUEY.immediate or any(task.expires for task in tasks) or not isinstance(storage, SqliteStorage | RedisStorage):
        for task in tasks:
            HUEY.enqueue(task)
        return
    messages = [(HUEY.serialize_task(task), task.priority) for task in tasks]
    if isinstance(storage, SqliteStorage):
        # The storage's own table, as its enqueue writes it (huey is pinned in pyproject.toml;
        # tests/core/test_queue.py runs what is written through a consumer's path).
        rows = [(storage.name, storage.to_blob(data), priority or 0) for data, priority in messages]
        with storage.db(commit=True) as cursor:
            cursor.executemany("insert into task (queue, data, priority) values (?, ?, ?)", rows)
        return
    # Redis: the storage's own enqueue (plain or priority queue), its commands sent together.
    pipeline = storage.conn.pipeline(transaction=False)
    batch = copy.copy(storage)
    batch.conn = pipeline
    for data, priority in messages:
        batch.enqueue(data, priority)
    pipeline.execute()
