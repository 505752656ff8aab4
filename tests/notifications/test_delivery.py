"""Delivery that loses nothing: stored before sending, retried after a 500 and a timeout,
never twice for one event, a worker killed between send and mark sends once, robots
rate-limited by queueing, delayed steps cancelled by acknowledgement, quiet hours."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest

from weibao.notifications import cancel_pending, notify
from weibao.notifications import services as notify_services
from weibao.notifications.models import (
    ContactProfile,
    Delivery,
    NotificationChannel,
    NotificationRule,
)
from weibao.notifications.services import retry_due, send_delivery
from weibao.notifications.tasks import retry_pending_deliveries

pytestmark = pytest.mark.django_db(transaction=True)
Kind = NotificationChannel.Kind


class Killed(BaseException):
    """The worker process dying: not an Exception, nothing in the sender catches it."""


def test_a_500_is_retried_with_backoff_and_the_answer_logged(contract, receiver, make_channel, clock):
    hook = make_channel(contract, Kind.WEBHOOK, receiver.url("/h"), "s")
    receiver.script = [(500, {"error": "boom"}), (502, {"error": "bad gateway"})]
    notify([], subject="告警", contract=contract, channel_ids=[hook.pk], dedup_key="e:1")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.provider_response.startswith("HTTP 500") and "boom" in delivery.provider_response
    assert retry_due() == 0  # backoff: not yet
    clock.advance(timedelta(seconds=31))
    assert retry_due() == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "HTTP 502" in delivery.provider_response
    clock.advance(timedelta(seconds=61))
    assert retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 3 and delivery.last_error == ""
    keys = {r.headers["Idempotency-Key"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and keys == {delivery.idempotency_key}
    assert receiver.handled == 1
    clock.advance(timedelta(hours=1))
    assert retry_due() == 0 and len(receiver.requests) == 3  # sent stays sent


def test_a_timeout_is_retried_and_the_message_arrives_once(contract, receiver, make_channel, clock):
    robot = make_channel(contract, Kind.DINGTALK, receiver.url("/robot/send?access_token=t"), "s")
    receiver.script = ["hang"]  # answers after the client's 1 s timeout
    notify([], subject="告警", contract=contract, channel_ids=[robot.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and "timed out" in delivery.last_error.lower()
    clock.advance(timedelta(seconds=31))
    assert retry_due() == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_failures_end_as_failed_after_the_last_attempt(contract, receiver, make_channel, clock):
    hook = make_channel(contract, Kind.WEBHOOK, receiver.url("/h"))
    receiver.script = [(500, {})] * 20
    notify([], subject="告警", contract=contract, channel_ids=[hook.pk])
    for _ in range(10):
        clock.advance(timedelta(hours=1))
        retry_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == notify_services.MAX_ATTEMPTS
    assert len(receiver.requests) == notify_services.MAX_ATTEMPTS


def test_the_same_event_twice_posts_and_sends_once(contract, reachable, receiver, make_channel):
    robot = make_channel(contract, Kind.WECOM, receiver.url("/send?key=k"))
    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"))
    user = reachable()
    for _ in range(3):
        notify(user, subject="告警", contract=contract, urgency="high", channel_ids=[robot.pk], dedup_key="sla:9")
    assert sorted(r.path for r in receiver.requests) == ["/send", "/sms"]
    assert Delivery.objects.count() == 3  # robot, SMS, e-mail


def test_a_worker_killed_between_send_and_mark_sends_once_after_restart(contract, receiver, make_channel, clock):
    """The receiver got the request; the worker died before recording it. The claim keeps
    every other worker off for one send timeout; then the sweep sends again with the same
    Idempotency-Key, and the receiver, as documented, acts once."""
    hook = make_channel(contract, Kind.WEBHOOK, receiver.url("/h"), "s")
    with mock.patch.object(notify_services, "_enqueue_all"):  # stored, not yet sent
        notify([], subject="告警", contract=contract, channel_ids=[hook.pk])
    delivery = Delivery.objects.get()
    with mock.patch.object(notify_services, "_mark_sent", side_effect=Killed), pytest.raises(Killed):
        send_delivery(delivery.pk)
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert retry_pending_deliveries.call_local() == 0  # another worker: the claim holds
    assert len(receiver.requests) == 1
    clock.advance(timedelta(seconds=notify_services._lease(delivery).total_seconds() + 1))
    assert retry_pending_deliveries.call_local() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert [r.headers["Idempotency-Key"] for r in receiver.requests] == [delivery.idempotency_key] * 2
    assert receiver.handled == 1


def test_a_worker_killed_before_the_request_left_sends_once(contract, reachable, receiver, make_channel, clock):
    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"))
    user = reachable()
    with mock.patch.object(notify_services, "_enqueue_all"):
        notify(user, subject="告警", contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    with mock.patch("weibao.notifications.channels.gateway.http_send", side_effect=Killed), pytest.raises(Killed):
        send_delivery(sms.pk)
    assert receiver.requests == []
    clock.advance(timedelta(minutes=1))
    retry_due()
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.SENT and len(receiver.requests) == 1


def test_a_retried_sms_goes_on_from_the_first_part_not_taken(contract, reachable, receiver, make_channel, clock):
    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"))
    receiver.script = [(200, {"code": 0}), (500, {})]
    notify(reachable(), subject="长短信" + "一二三四五六七八九十" * 10, contract=contract, urgency="high")
    sms = Delivery.objects.get(channel="sms")
    assert sms.parts_sent == 1 and len(receiver.requests) == 2
    clock.advance(timedelta(seconds=31))
    retry_due()
    sms.refresh_from_db()
    ids = [r.json()["request_id"] for r in receiver.requests]
    assert sms.status == Delivery.Status.SENT
    assert ids[0].endswith("-1") and ids[1].endswith("-2") and ids[2].endswith("-2")
    assert len(ids) == 3


def test_dingtalk_robot_is_rate_limited_by_queueing_not_dropping(contract, receiver, make_channel, clock):
    robot = make_channel(contract, Kind.DINGTALK, receiver.url("/robot/send?access_token=t"))
    for n in range(25):
        notify([], subject=f"告警 {n}", contract=contract, channel_ids=[robot.pk], dedup_key=f"e:{n}")
    assert len(receiver.requests) == 20
    waiting = Delivery.objects.filter(status=Delivery.Status.PENDING)
    assert waiting.count() == 5 and all(d.attempts == 0 for d in waiting)
    assert retry_due() == 0  # still within the minute
    clock.advance(timedelta(seconds=62))
    assert retry_due() == 5
    assert len(receiver.requests) == 25
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 25


def test_the_platforms_own_rate_limit_answer_is_waited_out(contract, receiver, make_channel, clock):
    robot = make_channel(contract, Kind.DINGTALK, receiver.url("/robot/send?access_token=t"))
    receiver.script = [(200, {"errcode": 130101, "errmsg": "send too fast"})]
    notify([], subject="告警", contract=contract, channel_ids=[robot.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 0
    clock.advance(timedelta(seconds=61))
    assert retry_due() == 1


def test_critical_rule_sms_now_voice_later_cancelled_by_acknowledgement(contract, reachable, receiver,
                                                                         make_channel, clock):
    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"), options={"voice_url": receiver.url("/tts")})
    user = reachable()
    notify(user, subject="P1", contract=contract, urgency="critical", dedup_key="esc:7:1", ack_url="/ack/x")
    voice = Delivery.objects.get(channel="voice")
    assert voice.until_acknowledged and voice.next_attempt_at == clock.now() + timedelta(minutes=5)
    assert {d.channel: d.status for d in Delivery.objects.all()} == {
        "sms": "sent", "email": "sent", "voice": "pending"}
    assert cancel_pending("esc:7:") == 1
    clock.advance(timedelta(minutes=6))
    retry_due()
    voice.refresh_from_db()
    assert voice.status == Delivery.Status.CANCELLED
    assert [r.path for r in receiver.requests] == ["/sms"]


def test_own_rules_replace_the_defaults(contract, reachable, receiver, make_channel):
    make_channel(contract, Kind.GATEWAY, receiver.url("/sms"))
    user = reachable()
    NotificationRule.objects.create(user=user, urgency="normal", method="sms")
    notify(user, subject="普通通知", contract=contract)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]
    notify(user, subject="低", contract=contract, urgency="low")  # no low rule: inbox only
    assert Delivery.objects.count() == 1


def test_quiet_hours_hold_normal_messages_but_never_duty_or_critical(contract, reachable, clock):
    user = reachable(quiet_start=time(22, 0), quiet_end=time(8, 0))
    clock.set_now(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))  # 23:00 Shanghai
    with mock.patch.object(notify_services, "_enqueue_all"):
        notify(user, subject="普通", contract=contract, dedup_key="a")
        notify(user, subject="值班", contract=contract, dedup_key="b", on_duty=True)
        notify(user, subject="紧急", contract=contract, dedup_key="c", urgency="critical")
    held = Delivery.objects.get(notification__dedup_key="a")
    assert held.next_attempt_at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 08:00 Shanghai
    assert Delivery.objects.get(notification__dedup_key="b").next_attempt_at == clock.now()
    assert Delivery.objects.filter(notification__dedup_key="c", channel="email").get().next_attempt_at == clock.now()


def test_quiet_hours_within_one_day(clock):
    profile = ContactProfile(quiet_start=time(12, 0), quiet_end=time(14, 0))
    at_1pm = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert notify_services.quiet_until(profile, at_1pm).hour == 14
    assert notify_services.quiet_until(profile, clock.now()) is None  # 10:00


def test_a_channel_of_another_contract_is_never_posted_to(contract, other_contract, make_channel, reachable):
    foreign = make_channel(other_contract, Kind.DINGTALK, "http://127.0.0.1:9/x")
    user = reachable()
    with mock.patch.object(notify_services, "_enqueue_all"):
        notify(user, subject="x", contract=contract, channel_ids=[foreign.pk, 999999])
        notify(user, subject="y", contract=contract, channel_ids=None)
    assert not Delivery.objects.filter(target=foreign).exists()
    assert Delivery.objects.filter(channel="email").count() == 2  # the person's own still go


def test_a_bad_urgency_is_refused():
    with pytest.raises(ValueError):
        notify([], subject="x", urgency="urgent")


def test_a_host_outside_the_allowed_list_is_never_contacted(contract, receiver, make_channel, settings, clock):
    settings.WEIBAO_NOTIFY_HOSTS = ["oapi.dingtalk.com"]
    robot = make_channel(contract, Kind.DINGTALK, receiver.url("/robot/send"))
    notify([], subject="x", contract=contract, channel_ids=[robot.pk])
    assert receiver.requests == [] and "WEIBAO_NOTIFY_HOSTS" in Delivery.objects.get().last_error


def test_a_dedup_key_racing_in_from_another_worker_skips_only_that_person(contract, reachable):
    first, second = reachable("13900000001"), reachable("13900000002")
    notify(first, subject="告警", contract=contract, dedup_key="race:1")
    real_load = notify_services._Known.load

    def blind(people, call):  # the other worker's row was not there yet when we looked
        known = real_load(people, call)
        known.already.clear()
        return known

    with mock.patch.object(notify_services._Known, "load", side_effect=blind):
        created = notify([first, second], subject="告警", contract=contract, dedup_key="race:1")
    assert [n.recipient for n in created] == [second]
    assert Delivery.objects.filter(notification__recipient=first).count() == 1


def test_retry_now_never_doubles_a_delivery_on_its_way(contract, receiver, make_channel, clock):
    hook = make_channel(contract, Kind.WEBHOOK, receiver.url("/h"))
    with mock.patch.object(notify_services, "_enqueue_all"):
        notify([], subject="告警", contract=contract, channel_ids=[hook.pk])
    delivery = Delivery.objects.get()
    with mock.patch.object(notify_services, "_mark_sent", side_effect=Killed), pytest.raises(Killed):
        send_delivery(delivery.pk)  # claimed; a worker may still be sending it
    delivery.refresh_from_db()
    assert notify_services.retry_now(delivery) is False
    clock.advance(notify_services._lease(delivery) + timedelta(seconds=1))
    assert notify_services.retry_now(delivery) is True
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and receiver.handled == 1
    assert notify_services.retry_now(delivery) is False
