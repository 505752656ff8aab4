from datetime import timedelta

import pytest

from weibao.core import events
from weibao.core.models import Event
from weibao.core.tasks import sweep_undispatched_events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def received():
    seen = []

    def handler(event):
        seen.append((event.type, event.payload))

    events.subscribe("test.happened")(handler)
    yield seen
    events._subscribers["test.happened"].remove(handler)


def test_published_event_reaches_subscribers_after_commit(contract, received):
    event = events.publish("test.happened", contract=contract, payload={"n": 1})
    assert received == [("test.happened", {"n": 1})]
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_event_whose_dispatch_could_not_be_queued_is_swept_later(contract, received, clock, monkeypatch):
    def queue_down(event_id):
        raise ConnectionError("redis down")

    monkeypatch.setattr("weibao.core.tasks.dispatch_event", queue_down)
    event = events.publish("test.happened", contract=contract, payload={"n": 2})
    assert received == []
    assert Event.objects.get(pk=event.pk).dispatched_at is None
    clock.advance(timedelta(minutes=2))
    assert sweep_undispatched_events.call_local() == 1
    assert received == [("test.happened", {"n": 2})]


def test_failing_subscriber_keeps_event_for_retry(contract, clock):
    def broken(event):
        raise RuntimeError("boom")

    events.subscribe("test.broken")(broken)
    try:
        event = events.publish("test.broken", contract=contract)
        event.refresh_from_db()
        assert event.dispatched_at is None and "boom" in event.last_error
    finally:
        events._subscribers["test.broken"].remove(broken)
