"""1,000 events fanned out to their recipients and queued (issue 14: under 2 s).

    .venv/bin/python bench/notify_fanout.py [EVENTS] [RECIPIENTS]

Each event is one ``notify()`` call, as the escalations app makes it: urgency "high",
RECIPIENTS people (default 3, each with a mobile: SMS + e-mail by the default rule), a
dedup key, an acknowledgement link, and the contract's group channel with @-mentions. It
stores the inbox entries and every delivery and puts one task per delivery on the real
(SQLite) Huey queue; nothing is sent (no worker runs). Prints the wall time for all
events, events per second, this process's CPU time, and rows written. For production-like
figures run it on PostgreSQL with Redis:

    createdb -h 127.0.0.1 -U postgres weibao_bench_notify
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/weibao_bench_notify REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/notify_fanout.py
"""

from __future__ import annotations

import sys
import time

from _notify_setup import prepare  # noqa: I001 - sets Django up first
from django.db import transaction

from weibao.notifications import notify
from weibao.notifications.models import Delivery, Notification


def main(events: int = 1000, recipients: int = 3) -> None:
    contract, users, _, robot = prepare(people=recipients)
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(events):
        with transaction.atomic():  # the caller's own transaction, as an event subscriber's
            notify(users, subject=f"P1 工单 SL-2026-{n:06d} 即将超时", body="剩余 15 分钟", contract=contract,
                   link=f"/tickets/{n}/", ack_url=f"/esc/ack/{n}/token", urgency="high",
                   dedup_key=f"bench:{n}", on_duty=True, channel_ids=[robot.pk])
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    queued = HUEY.pending_count()
    print(f"events: {events}, recipients each: {recipients}")
    print(f"notifications stored: {Notification.objects.count()}, deliveries stored: {Delivery.objects.count()}, "
          f"tasks queued: {queued}")
    print(f"fan-out and queue: {elapsed:.2f} s total, {events / elapsed:.0f} events/s, "
          f"{elapsed / events * 1000:.2f} ms/event  (target: 1,000 events < 2 s)")
    print(f"CPU time of this process: {cpu:.2f} s (the rest is waiting for the database, the queue, other processes)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
