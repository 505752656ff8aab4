"""What people do on the rosters, through the pages: overrides and swaps approved by the
PM, time off, residency, holiday duty plans confirmed by the bureau, handovers, feeds,
the .ics import and the PM's gap warning."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from tests.oncall.conftest import at
from weibao.audit.models import AuditRecord
from weibao.notifications.models import Notification
from weibao.oncall import coverage, duty, feeds, handovers, services
from weibao.oncall.models import CalendarFeed, DutyPlan, Handover, Override, ResidencyShift
from weibao.servicedesk.services import tickets
from weibao.servicedesk.services.defaults import install_defaults

pytestmark = pytest.mark.django_db


def TicketFactory(contract):  # noqa: N802
    install_defaults(contract)
    by = contract_member(contract)
    return tickets.create_ticket(contract, by=by, type="fault", priority="p3", channel="phone",
                                 subject="接口超时", description="x", requester_name="张三")


def contract_member(contract):
    from weibao.contracts.models import Membership

    return Membership.objects.filter(contract=contract, role="hotline_agent").first().user


def test_holiday_periods_of_2026_follow_the_official_calendar(contract):
    periods = duty.holiday_periods(contract.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [(p.first_day, p.last_day) for p in periods] == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 3)),
        (dt.date(2026, 2, 15), dt.date(2026, 2, 23)),
        (dt.date(2026, 4, 4), dt.date(2026, 4, 6)),
        (dt.date(2026, 5, 1), dt.date(2026, 5, 5)),
        (dt.date(2026, 6, 19), dt.date(2026, 6, 21)),
        (dt.date(2026, 9, 25), dt.date(2026, 9, 27)),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 7)),
    ]
    assert periods[1].name == "春节"


def test_engineer_asks_pm_approves_and_the_swap_counts(clock, contract, pm, team, schedule, client_for):
    engineer = team["a"]
    response = client_for(engineer).post("/oncall/overrides/new/", {
        "schedule": schedule.pk, "kind": "swap", "user": team["b"].pk, "replaces": engineer.pk,
        "start": "2026-11-24T18:00", "end": "2026-11-25T08:30", "reason": "家中有事",
    })
    assert response.status_code == 302
    override = Override.objects.get()
    assert override.status == "requested"
    assert services.on_call_at(schedule, at(2026, 11, 24, 23)) == [engineer]  # not yet
    assert Notification.objects.filter(recipient=pm, kind="oncall.override").exists()
    # The engineer cannot approve it; the PM can.
    assert client_for(engineer).post(f"/oncall/overrides/{override.pk}/decide/", {"decision": "approve"}).status_code == 403
    client_for(pm).post(f"/oncall/overrides/{override.pk}/decide/", {"decision": "approve"})
    assert services.on_call_at(schedule, at(2026, 11, 24, 23)) == [team["b"]]
    assert AuditRecord.objects.filter(action="oncall.override.decided", contract=contract).exists()


def test_an_engineer_asks_only_for_themself(clock, contract, team, schedule, client_for, make_member):
    other = make_member(contract, "oncall_engineer", username="sun")
    client_for(team["a"]).post("/oncall/overrides/new/", {
        "schedule": schedule.pk, "user": other.pk, "start": "2026-11-24T18:00", "end": "2026-11-25T08:30",
    })
    assert not Override.objects.exists()


def test_override_form_rejects_bad_input_naming_the_field(clock, contract, pm, schedule, client_for):
    client = client_for(pm)
    bad = client.post("/oncall/overrides/new/", {"schedule": schedule.pk, "user": "x", "start": "", "end": ""})
    assert bad.status_code == 400 and "user" in bad.content.decode()
    bad = client.post("/oncall/overrides/new/", {"schedule": schedule.pk, "user": pm.pk,
                                                  "start": "2026-13-01T00:00", "end": "2026-11-25T08:30"})
    assert bad.status_code == 400 and "start" in bad.content.decode()
    # End before start: the service's message, nothing stored.
    client.post("/oncall/overrides/new/", {"schedule": schedule.pk, "user": pm.pk,
                                           "start": "2026-11-25T08:30", "end": "2026-11-24T08:30"})
    assert not Override.objects.exists()


def test_pm_builds_a_layer_through_the_page(clock, contract, pm, team, client_for):
    client = client_for(pm)
    response = client.post("/oncall/schedules/new/", {"name": "平台值班"})
    schedule_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    client.post(f"/oncall/schedules/{schedule_id}/layers/", {
        "name": "周轮换", "level": "1", "rotation": "weekly", "starts_at": "2026-11-23T09:00",
        "participants": [team["a"].pk, team["b"].pk], "days": "all",
    })
    schedule = services.Schedule.objects.get(pk=schedule_id)
    assert services.on_call_at(schedule, at(2026, 11, 24, 10)) == [team["a"]]
    assert services.on_call_at(schedule, at(2026, 11, 30, 10)) == [team["b"]]
    # A hotline agent may not be put on the roster (eligibility), answered per field.
    client.post(f"/oncall/schedules/{schedule_id}/layers/", {
        "rotation": "weekly", "starts_at": "2026-11-23T09:00", "participants": [team["agent"].pk],
    })
    assert schedule.layers.count() == 1


def test_residency_fill_counts_make_up_workdays(clock, contract, pm, team, client_for):
    client_for(pm).post("/oncall/residency/fill/", {"user": team["b"].pk, "first": "2026-02-09", "last": "2026-03-01"})
    days = set(ResidencyShift.objects.filter(contract=contract).values_list("date", flat=True))
    assert dt.date(2026, 2, 14) in days and dt.date(2026, 2, 28) in days  # 调休 Saturdays
    assert dt.date(2026, 2, 16) not in days and dt.date(2026, 2, 22) not in days  # 春节
    assert len(days) == 11  # 2.9–13, 2.14, 2.24–27, 2.28


def test_holiday_duty_plan_sent_confirmed_and_reset_by_an_edit(clock, contract, pm, team, schedule, client_for):
    clock.set_now(at(2026, 9, 1))
    client_for(pm).post("/oncall/holidays/generate/", {"first_day": "2026-10-01"})
    plan = DutyPlan.objects.get()
    assert (plan.first_day, plan.last_day, plan.days.count()) == (dt.date(2026, 10, 1), dt.date(2026, 10, 7), 7)
    # Prefilled by who is on call at 09:00: nobody on these rest days, so it cannot be sent yet.
    client_for(pm).post(f"/oncall/holidays/{plan.pk}/send/")
    plan.refresh_from_db()
    assert plan.status == "draft"
    for day in plan.days.all():
        client_for(pm).post(f"/oncall/holidays/days/{day.pk}/", {"mode": "onsite", "people": [team["b"].pk]})
    client_for(pm).post(f"/oncall/holidays/{plan.pk}/send/")
    plan.refresh_from_db()
    assert plan.status == "sent"
    assert Notification.objects.filter(recipient=team["liaison"], kind="oncall.duty_plan").exists()
    # Only the liaison confirms; the confirmation is evidence in the audit trail.
    assert client_for(pm).post(f"/oncall/holidays/{plan.pk}/confirm/").status_code == 403
    client_for(team["liaison"]).post(f"/oncall/holidays/{plan.pk}/confirm/", {"note": "同意"})
    plan.refresh_from_db()
    assert plan.status == "confirmed" and plan.confirmed_by == team["liaison"]
    record = AuditRecord.objects.get(action="oncall.duty_plan.confirmed")
    assert record.actor == team["liaison"] and len(record.after["days"]) == 7
    # An edit after confirmation takes the plan back to draft: the bureau confirms what it saw.
    day = plan.days.first()
    client_for(pm).post(f"/oncall/holidays/days/{day.pk}/", {"mode": "remote", "people": [team["b"].pk]})
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.confirmed_at is None


def test_handover_written_flagged_and_acknowledged(clock, contract, team, client_for, make_member):
    ticket = TicketFactory(contract=contract)
    response = client_for(team["a"]).post("/oncall/handovers/", {
        "incoming": team["b"].pk, "notes": "接口超时仍在观察", "tickets": ticket.number,
    })
    assert response.status_code == 302
    handover = Handover.objects.get()
    assert list(handover.tickets.all()) == [ticket]
    clock.advance(dt.timedelta(hours=2))
    assert list(handovers.unacknowledged(contract)) == [handover]
    # Only the incoming person acknowledges.
    assert client_for(team["a"]).post(f"/oncall/handovers/{handover.pk}/acknowledge/").status_code == 404
    client_for(team["b"]).post(f"/oncall/handovers/{handover.pk}/acknowledge/")
    handover.refresh_from_db()
    assert handover.acknowledged_at is not None
    assert not handovers.unacknowledged(contract).exists()


def test_handover_refuses_another_contracts_ticket(clock, contract, other_contract, outsider, team, client_for,
                                                   make_member):
    make_member(other_contract, "hotline_agent")
    foreign = TicketFactory(contract=other_contract)
    client_for(team["a"]).post("/oncall/handovers/", {"incoming": team["b"].pk, "notes": "x", "tickets": foreign.number})
    assert not Handover.objects.exists()


def test_ical_feed_is_valid_secret_and_revocable(clock, contract, pm, team, schedule, client_for):
    response = client_for(pm).post("/oncall/feeds/", {"schedule": schedule.pk})
    url = response.context["secret_url"]
    path = url[url.index("/oncall/ical/"):]
    body = client_for(pm).get(path)  # any client: the secret is the credential
    assert body["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(body.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    events = cal.walk("VEVENT")
    first = min(events, key=lambda e: e.decoded("dtstart"))
    start = first.decoded("dtstart")
    assert start.utcoffset() == dt.timedelta(0)  # UTC, read in each app's own zone
    tuesday_day = [e for e in events if e.decoded("dtstart") == at(2026, 11, 24, 8, 30)]
    assert len(tuesday_day) == 1 and "李明" in str(tuesday_day[0]["SUMMARY"])
    assert tuesday_day[0].decoded("dtend") == at(2026, 11, 24, 18)
    assert len({str(e["UID"]) for e in events}) == len(events)
    feed = CalendarFeed.objects.get()
    client_for(pm).post(f"/oncall/feeds/{feed.pk}/revoke/")
    assert client_for(pm).get(path).status_code == 404
    assert client_for(pm).get("/oncall/ical/not-a-secret.ics").status_code == 404


def test_personal_feed_lists_only_my_duty_and_residency(clock, contract, team, schedule):
    ResidencyShift.objects.create(contract=contract, date=dt.date(2026, 11, 25), user=team["a"])
    feed, _ = feeds.create_feed(contract, by=team["a"], user=team["a"])
    cal = icalendar.Calendar.from_ical(feeds.render(feed))
    events = cal.walk("VEVENT")
    assert events and all("赵磊" in str(e["SUMMARY"]) or "驻场" in str(e["SUMMARY"]) for e in events)
    assert any(e.decoded("dtstart") == dt.date(2026, 11, 25) for e in events)


ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:a-1@example\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=Asia/Shanghai:20261128T090000\r
DTEND;TZID=Asia/Shanghai:20261129T090000\r
SUMMARY:\xe5\x80\xbc\xe7\x8f\xad\xef\xbc\x9a\xe8\xb5\xb5\xe7\xa3\x8a\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_import_overrides_from_ics(clock, contract, pm, team, schedule, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("duty.ics", ICS, content_type="text/calendar")
    client_for(pm).post(f"/oncall/schedules/{schedule.pk}/import/", {"file": upload})
    override = Override.objects.get()
    assert (override.user, override.status, override.start) == (team["a"], "approved", at(2026, 11, 28, 9))
    assert services.on_call_at(schedule, at(2026, 11, 28, 12)) == [team["a"]]
    # Importing the same file again adds nothing.
    assert feeds.import_overrides(schedule, ICS, by=pm) == {"created": 0, "skipped": 1}
    with pytest.raises(services.ValidationError):
        feeds.import_overrides(schedule, ICS.replace(b"a-1@", b"a-2@").replace(b"\xe8\xb5\xb5\xe7\xa3\x8a", b"X"), by=pm)
    with pytest.raises(services.ValidationError):
        feeds.import_overrides(schedule, b"not a calendar", by=pm)


def test_gap_warning_reaches_the_pm_once_per_set_of_gaps(clock, contract, pm, team, schedule):
    assert coverage.warn_managers(contract) == 1
    clock.advance(dt.timedelta(hours=1))
    assert coverage.warn_managers(contract) == 0  # the same gaps: told already
    note = Notification.objects.get(recipient=pm, kind="oncall.gap")
    assert "无人值班" in note.subject
    services.add_time_off(contract, user=team["b"], start=at(2026, 11, 26, 10), end=at(2026, 11, 26, 11), by=pm)
    assert coverage.warn_managers(contract) == 1


def test_hourly_task_warns_every_active_contract(clock, contract, pm, team, schedule):
    from weibao.oncall.tasks import warn_coverage_gaps

    assert warn_coverage_gaps.call_local() == 1
    assert warn_coverage_gaps.call_local() == 0


def test_a_member_who_left_leaves_a_gap(clock, contract, pm, team, schedule):
    from weibao.contracts.models import Membership

    assert services.on_call_at(schedule, at(2026, 11, 24, 23)) == [team["a"]]
    Membership.objects.filter(user=team["a"], contract=contract).update(active=False)
    assert services.on_call_at(schedule, at(2026, 11, 24, 23)) == []


def test_pm_renames_and_deletes_a_schedule(clock, contract, pm, team, schedule, client_for):
    client_for(pm).post(f"/oncall/schedules/{schedule.pk}/edit/", {"name": "平台值班"})
    schedule.refresh_from_db()
    assert schedule.name == "平台值班"
    assert client_for(team["a"]).post(f"/oncall/schedules/{schedule.pk}/edit/", {"delete": "1"}).status_code == 403
    client_for(pm).post(f"/oncall/schedules/{schedule.pk}/edit/", {"delete": "1"})
    assert not services.Schedule.objects.exists()
    assert AuditRecord.objects.filter(action="oncall.schedule.deleted").exists()


def test_an_over_long_schedule_name_is_refused_naming_the_field(contract, team, pm):
    from django.core.exceptions import ValidationError

    from weibao.oncall.services import save_schedule

    with pytest.raises(ValidationError) as refused:
        save_schedule(contract, name="值" * 101, by=pm)
    assert "name" in refused.value.message_dict
