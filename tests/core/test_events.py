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


class WorkerKilled(BaseException):
    """Stands in for SIGKILL of the worker in the middle of a job (not an Exception)."""


def test_a_worker_killed_mid_dispatch_leaves_no_trace_and_the_sweep_runs_it_once(
    contract, clock, monkeypatch
):
    from weibao.notifications.models import Notification
    from weibao.notifications.services import notify
    from weibao.testing.factories import UserFactory

    user = UserFactory()
    crashes = {"left": 1}

    def subscriber(event):
        notify(user, subject=f"event {event.pk}", contract=contract, kind="test")
        if crashes["left"]:
            crashes["left"] -= 1
            raise WorkerKilled

    events.subscribe("test.crash")(subscriber)
    try:
        monkeypatch.setattr("weibao.core.tasks.dispatch_event", lambda event_id: None)  # queued, not run
        event = events.publish("test.crash", contract=contract)
        with pytest.raises(WorkerKilled):
            events.dispatch(Event.objects.get(pk=event.pk))
        assert Notification.objects.filter(kind="test").count() == 0  # rolled back with the job
        assert Event.objects.get(pk=event.pk).dispatched_at is None
        clock.advance(timedelta(minutes=2))
        assert sweep_undispatched_events.call_local() == 1
        assert sweep_undispatched_events.call_local() == 0
        assert Notification.objects.filter(kind="test").count() == 1  # exactly once
        events.dispatch(Event.objects.get(pk=event.pk))  # a late duplicate delivery is a no-op
        assert Notification.objects.filter(kind="test").count() == 1
    finally:
        events._subscribers["test.crash"].remove(subscriber)
