"""SLA clocks: pause and resume, reassignment, priority change, reopen, holiday edits,
warnings and breaches (notifications + events on the internal stream)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from weibao.calendars.services import set_holiday
from weibao.core.models import Event
from weibao.notifications.models import Notification
from weibao.servicedesk.models import SlaClock, Ticket
from weibao.servicedesk.services.sla import scan


def clocks(api, ticket_id):
    return {c["target"]: c for c in api.get(f"/api/v1/tickets/{ticket_id}/").json()["sla"]}


def move(api, ticket_id, to, **extra):
    response = api.post(f"/api/v1/tickets/{ticket_id}/transition/", {"to": to, **extra}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_waiting_pauses_and_resuming_continues(api, new_ticket, engineer, clock):
    ticket = new_ticket(assignee=engineer.pk)
    clock.advance(timedelta(minutes=10))
    move(api, ticket["id"], "in_progress")  # responds at 10 min: met
    clock.advance(timedelta(minutes=20))
    body = move(api, ticket["id"], "waiting", comment="请提供截图")
    sla = {c["target"]: c for c in body["sla"]}
    assert sla["response"]["state"] == "met"
    assert sla["resolution"]["state"] == "paused"
    assert sla["resolution"]["remaining_seconds"] == 4 * 3600 - 30 * 60
    clock.advance(timedelta(hours=10))  # the requester takes ten hours; none of it counts
    assert clocks(api, ticket["id"])["resolution"]["remaining_seconds"] == 4 * 3600 - 30 * 60
    move(api, ticket["id"], "in_progress")
    clock.advance(timedelta(minutes=30))
    resolution = clocks(api, ticket["id"])["resolution"]
    assert resolution["state"] == "running"
    assert resolution["remaining_seconds"] == 4 * 3600 - 60 * 60
    expected_due = clock.now() + timedelta(hours=3)
    assert datetime.fromisoformat(resolution["due_at"]) == expected_due


def test_reassignment_keeps_the_clocks(api, new_ticket, engineer, contract, make_member, clock):
    other = make_member(contract, "oncall_engineer")
    ticket = new_ticket(assignee=engineer.pk)
    before = clocks(api, ticket["id"])
    clock.advance(timedelta(minutes=5))
    response = api.patch(f"/api/v1/tickets/{ticket['id']}/", {"assignee": other.pk}, format="json")
    assert response.status_code == 200
    after = {c["target"]: c for c in response.json()["sla"]}
    assert after["resolution"]["due_at"] == before["resolution"]["due_at"]
    assert Notification.objects.filter(recipient=other, kind="ticket.assigned").exists()


def test_priority_change_applies_the_new_targets_keeping_time_used(api, new_ticket, clock):
    ticket = new_ticket(priority="p2")  # resolution 8 h on 7×24
    clock.advance(timedelta(hours=1))
    response = api.patch(f"/api/v1/tickets/{ticket['id']}/", {"priority": "p1"}, format="json")
    resolution = {c["target"]: c for c in response.json()["sla"]}["resolution"]
    assert resolution["remaining_seconds"] == 3 * 3600  # 4 h budget − 1 h used


def test_lowering_a_target_below_the_time_used_breaches(api, new_ticket, clock):
    ticket = new_ticket(priority="p2")
    clock.advance(timedelta(minutes=20))  # response budget p2 = 30, p1 = 15
    response = api.patch(f"/api/v1/tickets/{ticket['id']}/", {"priority": "p1"}, format="json")
    assert {c["target"]: c for c in response.json()["sla"]}["response"]["state"] == "breached"


def test_reopen_resumes_resolution_without_counting_the_resolved_time(api, new_ticket, engineer, clock):
    ticket = new_ticket(assignee=engineer.pk)
    move(api, ticket["id"], "in_progress")
    clock.advance(timedelta(hours=1))
    body = move(api, ticket["id"], "resolved", comment="已处理")
    assert {c["target"]: c for c in body["sla"]}["resolution"]["state"] == "met"
    clock.advance(timedelta(days=2))
    body = move(api, ticket["id"], "in_progress", comment="复发")
    resolution = {c["target"]: c for c in body["sla"]}["resolution"]
    assert resolution["state"] == "running"
    assert resolution["remaining_seconds"] == 3 * 3600


def test_office_hours_clock_skips_nights_and_holidays(api, new_ticket, clock):
    # P3 fault: response 60 min on 工作日 9:00–17:30. Created Wednesday 2026-09-30 17:00 Shanghai.
    clock.set_now(datetime(2026, 9, 30, 9, 0, tzinfo=UTC))
    ticket = new_ticket(priority="p3")
    response = clocks(api, ticket["id"])["response"]
    assert response["due_at"].startswith("2026-10-08T01:30:00")  # 09:30 after National Day
    assert "工作日" in response["calendar"]


def test_holiday_edit_recomputes_open_deadlines(
    api, new_ticket, contract, pm, clock, django_capture_on_commit_callbacks
):
    clock.set_now(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 17:00 Shanghai
    ticket = new_ticket(priority="p3")
    assert clocks(api, ticket["id"])["response"]["due_at"].startswith("2026-11-30T01:30:00")
    with django_capture_on_commit_callbacks(execute=True):
        set_holiday(contract, datetime(2026, 11, 30).date(), "rest", "临时停电", by=pm)
    due = Ticket.objects.get(pk=ticket["id"]).clocks.get(target="response").due_at
    assert due == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # Tuesday 09:30
    assert clocks(api, ticket["id"])["response"]["due_at"].startswith("2026-12-01T01:30:00")


def test_warning_then_breach_notify_and_publish_events(
    api, new_ticket, engineer, pm, clock, django_capture_on_commit_callbacks
):
    ticket = new_ticket(assignee=engineer.pk)  # P1 response 15 min, warning at 80 % = 12 min
    clock.advance(timedelta(minutes=11))
    assert scan() == (0, 0)
    clock.advance(timedelta(minutes=2))
    assert scan() == (1, 0)
    assert scan() == (0, 0)  # once only
    clock.advance(timedelta(minutes=3))
    assert scan() == (0, 1)
    response = clocks(api, ticket["id"])["response"]
    assert response["state"] == "breached"
    assert response["remaining_seconds"] == -60
    for user in (engineer, pm):
        kinds = set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))
        assert {"sla.warning", "sla.breached"} <= kinds
    events = Event.objects.filter(type__startswith="sla.").order_by("id")
    assert [e.type for e in events] == ["sla.warning", "sla.breached"]
    assert events[1].payload["number"] == ticket["number"]
    assert events[1].payload["target"] == "response"
    assert Ticket.objects.get(pk=ticket["id"]).sla_state == "breached"
    # Responding late keeps it breached.
    body = move(api, ticket["id"], "in_progress")
    assert {c["target"]: c for c in body["sla"]}["response"]["state"] == "breached"


def test_paused_clocks_do_not_breach(api, new_ticket, engineer, clock):
    ticket = new_ticket(assignee=engineer.pk)
    move(api, ticket["id"], "in_progress")
    move(api, ticket["id"], "waiting")
    clock.advance(timedelta(days=3))
    assert scan() == (0, 0)
    assert clocks(api, ticket["id"])["resolution"]["state"] == "paused"


def test_cancelled_ticket_clocks_stop_without_verdict(api, new_ticket, clock):
    ticket = new_ticket()
    body = move(api, ticket["id"], "cancelled")
    assert {c["state"] for c in body["sla"]} == {"paused"}
    clock.advance(timedelta(days=1))
    assert scan() == (0, 0)


def test_ticket_summary_follows_the_clocks(new_ticket, engineer, clock):
    ticket = new_ticket(assignee=engineer.pk)
    stored = Ticket.objects.get(pk=ticket["id"])
    assert stored.sla_state == "running"
    assert stored.sla_due_at == SlaClock.objects.get(ticket=stored, target="response").due_at


def test_a_deadline_reaching_into_2027_says_monday_to_friday_was_assumed(api, new_ticket, clock):
    clock.set_now(datetime(2026, 12, 30, 9, 0, tzinfo=UTC))  # Wednesday 17:00 Shanghai
    ticket = new_ticket(priority="p4", type="consultation")  # resolution 10 working days
    resolution = clocks(api, ticket["id"])["resolution"]
    assert resolution["uncovered_years"] == [2027]
    assert clocks(api, ticket["id"])["response"]["uncovered_years"] == []  # due 12-31
    client_page = api.get(f"/api/v1/tickets/{ticket['id']}/")
    assert client_page.status_code == 200
