"""A Huey consumer SIGKILLed while it waits for a webhook receiver's answer: the delivery
stays claimed for one send timeout, then a restarted consumer's sweep sends it again with
the same Idempotency-Key, and the receiver (which remembers keys, as documented) acts once.
The record ends sent after two attempts; nothing is lost, nothing is acted on twice."""

from __future__ import annotations

import time

import pytest

from tests.notifications.receivers import Receiver

from .support import MANAGE, wait_for

pytestmark = pytest.mark.faults

ENV = {"WEIBAO_NOTIFY_TIMEOUT": "3", "WEIBAO_NOTIFY_HOSTS": "127.0.0.1"}

NOTIFY = """
import json
from weibao.contracts.models import Contract
from weibao.core import stored_secrets
from weibao.notifications import notify
from weibao.notifications.models import NotificationChannel
contract = Contract.objects.get(number="HT-FAULT-1")
hook = NotificationChannel.objects.create(contract=contract, name="kill test", kind="webhook",
    endpoint=stored_secrets.protect(%r), secret=stored_secrets.protect("s"))
notify([], subject="发送途中被杀", contract=contract, channel_ids=[hook.pk], dedup_key="kill:1")
print(json.dumps(hook.pk))
"""

STATE = """
import json
from weibao.core import clock
from weibao.notifications.models import Delivery
d = Delivery.objects.get(target_id=%d)
print(json.dumps({"status": d.status, "attempts": d.attempts, "key": d.idempotency_key,
                  "due": d.next_attempt_at <= clock.now()}))
"""


def _worker(deployment, name):
    return deployment.start(name, [*MANAGE, "run_huey", "--workers", "2"], WEIBAO_LOG_LEVEL="INFO", **ENV)


def test_a_worker_killed_while_posting_sends_once_after_restart(deployment):
    receiver = Receiver()
    receiver.hang_seconds = 60
    receiver.script = ["hang"]  # takes the request, never answers in time
    try:
        hook = deployment.python(NOTIFY % receiver.url("/hook"), **ENV)
        _worker(deployment, "notify-killed")
        wait_for(lambda: len(receiver.requests) == 1, 60, "the worker to post to the receiver")
        deployment.stop_all()  # SIGKILL while it waits for the answer

        state = deployment.python(STATE % hook, **ENV)
        assert (state["status"], state["attempts"], state["due"]) == ("pending", 1, False), state

        # The claim lasts the send timeout (3 s) + 10 s; then a fresh consumer's sweep,
        # which runs at its start, sends again.
        wait_for(lambda: deployment.python(STATE % hook, **ENV)["due"], 40, "the claim to lapse")
        _worker(deployment, "notify-restarted")
        wait_for(lambda: deployment.python(STATE % hook, **ENV)["status"] == "sent", 90,
                 "the delivery to be sent after the restart")
        time.sleep(2)  # anything sent twice more would show by now
        state = deployment.python(STATE % hook, **ENV)
        assert (state["status"], state["attempts"]) == ("sent", 2), state
        assert [r.headers["Idempotency-Key"] for r in receiver.requests] == [state["key"]] * 2
        assert receiver.handled <= 1  # the hung first request may still be asleep
        wait_for(lambda: receiver.handled == 1, 5, "the receiver to have acted once")
    finally:
        receiver.close()
