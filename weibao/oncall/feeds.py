"""iCalendar (RFC 5545) feeds at secret, revocable addresses, and overrides imported from
an .ics file.

A feed lists concrete stretches (no RRULE): a rotation with layers, overrides and time
off is not a recurrence a calendar app could compute, so what the feed says is exactly
what Weibao computes. Times are written in UTC (``...Z``), which every common calendar
app (Outlook, Apple, Google, 钉钉/飞书 日历) reads and shows in its own zone.
"""

from __future__ import annotations

import datetime as dt
import secrets

import icalendar
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.contracts.access import can, require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.oncall.eligibility import duty_people
from weibao.oncall.models import CalendarFeed, Override, ResidencyShift, Schedule
from weibao.oncall.services import shifts

PAST = dt.timedelta(days=14)
AHEAD = dt.timedelta(days=90)
MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_EVENTS = 1000


def create_feed(contract, *, by, schedule: Schedule | None = None, user=None) -> tuple[CalendarFeed, str]:
    """A new secret address: a schedule's (the PM) or one person's own duty (that person,
    or the PM for them). Returns the feed and its secret, which is shown only now."""
    if (schedule is None) == (user is None):
        raise ValidationError({"schedule": _("请选择值班表或人员之一。")})
    if schedule is not None:
        if schedule.contract_id != contract.pk:
            raise ValidationError({"schedule": _("值班表不存在。")})
        require(by, contract.pk, Capability.MANAGE_ONCALL)
    elif by is None or by.pk != user.pk:
        require(by, contract.pk, Capability.MANAGE_ONCALL)
    else:
        require(by, contract.pk, Capability.REQUEST_OVERRIDE)
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        contract=contract, schedule=schedule, user=user, secret_hash=CalendarFeed.hash_secret(secret), created_by=by
    )
    audit.record("oncall.feed.created", obj=feed, actor=by, contract=contract,
                 after={"schedule": getattr(schedule, "pk", None), "user": getattr(user, "pk", None)})
    return feed, secret


def may_revoke(feed: CalendarFeed, user) -> bool:
    return can(user, feed.contract_id, Capability.MANAGE_ONCALL) or (
        feed.user_id is not None and user is not None and feed.user_id == user.pk
    )


def revoke_feed(feed: CalendarFeed, *, by) -> CalendarFeed:
    if not may_revoke(feed, by):
        raise PermissionDenied(_("您没有权限吊销该订阅地址。"))
    if feed.revoked_at is None:
        feed.revoked_at = clock.now()
        feed.save(update_fields=["revoked_at"])
        audit.record("oncall.feed.revoked", obj=feed, actor=by, contract=feed.contract)
    return feed


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The live feed behind ``secret``; None for an unknown or revoked one (and for a
    person's feed once they left the contract)."""
    if not secret or len(secret) > 100:
        return None
    feed = CalendarFeed.objects.filter(
        secret_hash=CalendarFeed.hash_secret(secret), revoked_at__isnull=True
    ).select_related("contract", "schedule", "user").first()
    if feed is None:
        return None
    if feed.user is not None and not can(feed.user, feed.contract_id, Capability.VIEW_ONCALL):
        return None
    return feed


def _event(uid: str, summary: str, start, end, description: str = "") -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", clock.now().astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("transp", "OPAQUE")
    return event


def render(feed: CalendarFeed, at: dt.datetime | None = None) -> bytes:
    """The feed's calendar, from ``PAST`` ago to ``AHEAD`` ahead."""
    at = at or clock.now()
    lo, hi = (at - PAST).replace(second=0, microsecond=0), (at + AHEAD).replace(second=0, microsecond=0)
    contract = feed.contract
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Weibao//oncall//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    title = feed.schedule.name if feed.schedule else _("%(who)s 的值班") % {"who": feed.user}
    cal.add("x-wr-calname", f"{contract.number} {title}")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    schedules = [feed.schedule] if feed.schedule else list(Schedule.objects.filter(contract=contract))
    names = {s.pk: s.name for s in schedules}
    for sid, stretches in shifts(contract, lo, hi, schedules).items():
        for stretch in stretches:
            people = stretch["users"]
            if not people or (feed.user is not None and feed.user not in people):
                continue
            start, end = stretch["start"], stretch["end"]
            who = "、".join(str(u) for u in people)
            cal.add_component(_event(
                f"oncall-{sid}-{int(start.timestamp())}-{'-'.join(str(u.pk) for u in people)}@weibao",
                _("值班：%(who)s（%(schedule)s）") % {"who": who, "schedule": names[sid]},
                start.astimezone(dt.UTC), end.astimezone(dt.UTC),
                _("%(schedule)s 值班人员：%(who)s") % {"schedule": names[sid], "who": who},
            ))
    if feed.user is not None:
        for shift in ResidencyShift.objects.filter(
            contract=contract, user=feed.user, date__range=(lo.date(), hi.date())
        ):
            cal.add_component(_event(
                f"residency-{contract.pk}-{shift.user_id}-{shift.date.isoformat()}@weibao",
                _("驻场（%(contract)s）") % {"contract": contract.number},
                shift.date, shift.date + dt.timedelta(days=1),
            ))
    return cal.to_ical()


# --- import -------------------------------------------------------------------------------

def _moment(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=clock.SHANGHAI)
    return dt.datetime.combine(value, dt.time(), tzinfo=clock.SHANGHAI)


def _person(event, people: list) -> object | None:
    """Who an event names: an ATTENDEE's e-mail, else a username, name or phone in its
    SUMMARY (a team's shared calendar says "值班：赵磊")."""
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
    for attendee in attendees:
        address = str(attendee).lower().removeprefix("mailto:")
        for person in people:
            if person.email and person.email.lower() == address:
                return person
    summary = str(event.get("summary", ""))
    found = [p for p in people if any(key and key in summary for key in (p.username, p.display_name, p.phone))]
    # Longest key first: "赵磊" must not also match a "赵" elsewhere.
    return max(found, key=lambda p: len(p.display_name or p.username)) if found else None


def import_overrides(schedule: Schedule, data: bytes, *, by) -> dict:
    """Approved overrides from the events of an .ics file (the PM's import). All or
    nothing: any event that cannot be read is reported by its line and nothing is added;
    an event already imported (same UID) is skipped."""
    require(by, schedule.contract_id, Capability.MANAGE_ONCALL)
    if not data or len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": _("请选择不超过 1 MB 的 .ics 文件。")})
    try:
        cal = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise ValidationError({"file": _("无法读取日历文件：%(error)s") % {"error": str(error)[:200]}}) from None
    people = list(duty_people(schedule.contract_id))
    events = list(cal.walk("VEVENT"))
    if not events:
        raise ValidationError({"file": _("日历文件中没有事件。")})
    if len(events) > MAX_IMPORT_EVENTS:
        raise ValidationError({"file": _("一次最多导入 %(n)s 个事件。") % {"n": MAX_IMPORT_EVENTS}})
    known = set(Override.objects.filter(schedule=schedule).exclude(source_uid="").values_list("source_uid", flat=True))
    errors, new, skipped = [], [], 0
    for number, event in enumerate(events, start=1):
        uid = str(event.get("uid", ""))[:255]
        label = _("第 %(n)s 个事件") % {"n": number}
        if uid and uid in known:
            skipped += 1
            continue
        if event.get("rrule"):
            errors.append(label + _("：不支持重复事件（RRULE），请导出为单次事件。"))
            continue
        try:
            start = _moment(event.decoded("dtstart"))
            end = _moment(event.decoded("dtend")) if event.get("dtend") else None
            if end is None and event.get("duration"):
                end = start + event.decoded("duration")
        except (KeyError, ValueError, TypeError):
            errors.append(label + _("：缺少或无法识别开始/结束时间。"))
            continue
        if end is None or end <= start or end - start > dt.timedelta(days=366):
            errors.append(label + _("：结束时间应晚于开始时间且不超过一年。"))
            continue
        person = _person(event, people)
        if person is None:
            errors.append(label + _("：找不到本合同的值班人员（%(summary)s）。") % {
                "summary": str(event.get("summary", ""))[:50]})
            continue
        new.append(Override(
            contract_id=schedule.contract_id, schedule=schedule, user=person, start=start, end=end,
            reason=str(event.get("summary", ""))[:300], status=Override.Status.APPROVED,
            requested_by=by, decided_by=by, decided_at=clock.now(), source_uid=uid,
        ))
        if uid:
            known.add(uid)
    if errors:
        raise ValidationError({"file": errors})
    with transaction.atomic():
        Override.objects.bulk_create(new)
        audit.record("oncall.override.imported", obj=schedule, actor=by, contract=schedule.contract,
                     after={"created": len(new), "skipped": skipped})
    return {"created": len(new), "skipped": skipped}
