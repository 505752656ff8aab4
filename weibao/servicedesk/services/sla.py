"""SLA clocks: start, pause, resume, stop, recompute, and the periodic warning/breach scan.

Rules (docs/decisions/0006-sla-clocks.md):
- A clock consumes working time of its own calendar only while it ticks.
- Waiting on the requester pauses every ticking clock; leaving it resumes them.
- Reassignment changes nothing on the clocks (the contract's promise does not restart
  because the vendor moved the work).
- A priority or type change switches to the new policy's targets and calendars; the
  working time already consumed is kept, so a lower target can breach at once.
- Reopening a resolved ticket resumes the resolution clock from where it stopped; the
  time spent resolved does not count.
- A holiday edit re-derives every ticking clock's deadline from its segment start on
  the edited calendar (``recompute_contract``).
- Cancelling stops the clocks as paused: nothing was met or breached by the vendor.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from weibao.calendars import engine
from weibao.calendars.services import day_rules_for, provisional_warning, working_time_for
from weibao.contracts.services import project_managers
from weibao.core import clock, events
from weibao.core.statements import Statement
from weibao.notifications.services import notify
from weibao.servicedesk.models import SlaClock, SlaPolicy, Ticket

log = logging.getLogger(__name__)
Target = SlaClock.Target
State = SlaClock.State

#: The event types the escalation policies of the roadmap consume.
EVENT_WARNING = "sla.warning"
EVENT_BREACHED = "sla.breached"


def _epoch(moment: dt.datetime) -> int:
    return engine.to_epoch(moment)


def _moment(seconds: int) -> dt.datetime:
    return engine.from_epoch(seconds)


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    return (
        SlaPolicy.objects.filter(
            contract_id=ticket.contract_id, ticket_type=ticket.type, priority=ticket.priority
        )
        .select_related("response_calendar", "arrival_calendar", "resolution_calendar")
        .first()
    )


def _targets(ticket: Ticket, policy: SlaPolicy):
    yield Target.RESPONSE, policy.response_calendar, policy.response_minutes
    if ticket.needs_onsite and policy.arrival_minutes and policy.arrival_calendar:
        yield Target.ARRIVAL, policy.arrival_calendar, policy.arrival_minutes
    yield Target.RESOLUTION, policy.resolution_calendar, policy.resolution_minutes


def _schedule(sla_clock: SlaClock) -> None:
    """Derive due_at / warn_at of a ticking clock from its segment and budget."""
    working = working_time_for(sla_clock.calendar)
    start = _epoch(sla_clock.segment_start)
    left = sla_clock.budget_seconds - sla_clock.consumed_seconds
    sla_clock.due_at = _moment(working.add_seconds(start, max(left, 0)))
    warn_budget = sla_clock.budget_seconds * sla_clock.warn_percent // 100
    warn_left = warn_budget - sla_clock.consumed_seconds
    sla_clock.warn_at = (
        _moment(working.add_seconds(start, warn_left)) if warn_left > 0 and not sla_clock.warned_at else None
    )


def _consumed_now(sla_clock: SlaClock, now: dt.datetime) -> int:
    if not sla_clock.ticking:
        return sla_clock.consumed_seconds
    working = working_time_for(sla_clock.calendar)
    return sla_clock.consumed_seconds + working.between(_epoch(sla_clock.segment_start), _epoch(now))


def plan_clocks(ticket: Ticket) -> list[SlaClock]:
    """The clocks a new ticket starts with under its policy, scheduled but not saved (none
    without a policy). ``ticket`` need not be saved yet."""
    policy = policy_for(ticket)
    if policy is None:
        return []
    clocks = []
    for target, calendar, minutes in _targets(ticket, policy):
        sla_clock = SlaClock(
            ticket=ticket,
            target=target,
            calendar=calendar,
            budget_seconds=minutes * 60,
            warn_percent=policy.warn_percent,
            segment_start=ticket.created_at,
            state=State.RUNNING,
        )
        _schedule(sla_clock)
        clocks.append(sla_clock)
    return clocks


def save_clocks(ticket: Ticket, clocks: list[SlaClock]) -> None:
    """Store planned clocks of the now saved ``ticket``."""
    for sla_clock in clocks:
        sla_clock.ticket = ticket
    SlaClock.objects.bulk_create(clocks)


def start_clocks(ticket: Ticket) -> list[SlaClock]:
    clocks = plan_clocks(ticket)
    if not clocks:
        return []
    save_clocks(ticket, clocks)
    refresh_summary(ticket)
    return clocks


def _pause(sla_clock: SlaClock, now: dt.datetime) -> None:
    sla_clock.consumed_seconds = _consumed_now(sla_clock, now)
    sla_clock.segment_start = None
    sla_clock.warn_at = None
    if sla_clock.state == State.RUNNING:
        sla_clock.state = State.PAUSED


def pause(ticket: Ticket, now: dt.datetime) -> None:
    for sla_clock in ticket.clocks.filter(segment_start__isnull=False):
        _pause(sla_clock, now)
        sla_clock.save()
    refresh_summary(ticket)


def resume(ticket: Ticket, now: dt.datetime, targets=None) -> None:
    clocks = ticket.clocks.filter(segment_start__isnull=True, stopped_at__isnull=True)
    if targets is not None:
        clocks = clocks.filter(target__in=targets)
    for sla_clock in clocks:
        sla_clock.segment_start = now
        if sla_clock.state == State.PAUSED:
            sla_clock.state = State.RUNNING
        _schedule(sla_clock)
        sla_clock.save()
    refresh_summary(ticket)


def stop(ticket: Ticket, target: str, now: dt.datetime) -> SlaClock | None:
    """The target was achieved at ``now``: met if in time, breached if late."""
    sla_clock = ticket.clocks.filter(target=target, stopped_at__isnull=True).first()
    if sla_clock is None:
        return None
    _pause(sla_clock, now)
    sla_clock.stopped_at = now
    late = sla_clock.consumed_seconds > sla_clock.budget_seconds or sla_clock.state == State.BREACHED
    sla_clock.state = State.BREACHED if late else State.MET
    if late and sla_clock.breached_at is None:
        sla_clock.breached_at = sla_clock.due_at or now
    sla_clock.save()
    refresh_summary(ticket)
    return sla_clock


def reopen(ticket: Ticket, now: dt.datetime) -> None:
    """The resolution clock (stopped when resolved) ticks again from its consumed time."""
    sla_clock = ticket.clocks.filter(target=Target.RESOLUTION).first()
    if sla_clock is None:
        return
    sla_clock.stopped_at = None
    sla_clock.segment_start = now
    if sla_clock.state == State.MET:
        sla_clock.state = State.RUNNING
    _schedule(sla_clock)
    sla_clock.save()
    refresh_summary(ticket)


def halt(ticket: Ticket, now: dt.datetime) -> None:
    """Cancelled or closed: every clock still going stops without a verdict."""
    for sla_clock in ticket.clocks.filter(stopped_at__isnull=True):
        _pause(sla_clock, now)
        sla_clock.stopped_at = now
        sla_clock.save()
    refresh_summary(ticket)


def apply_policy_change(ticket: Ticket, now: dt.datetime) -> None:
    """Priority or type changed: the new policy's budgets and calendars, consumed kept."""
    policy = policy_for(ticket)
    if policy is None:
        return
    wanted = {target: (calendar, minutes) for target, calendar, minutes in _targets(ticket, policy)}
    for sla_clock in ticket.clocks.all():
        if sla_clock.target not in wanted:
            continue
        calendar, minutes = wanted.pop(sla_clock.target)
        if sla_clock.stopped_at is not None:
            continue
        ticking = sla_clock.ticking
        if ticking:
            _pause(sla_clock, now)
        sla_clock.calendar = calendar
        sla_clock.budget_seconds = minutes * 60
        sla_clock.warn_percent = policy.warn_percent
        sla_clock.warned_at = None
        if ticking:
            sla_clock.segment_start = now
            if sla_clock.state == State.PAUSED:
                sla_clock.state = State.RUNNING
            _schedule(sla_clock)
        sla_clock.save()
    refresh_summary(ticket)


def recompute_contract(contract_id: int) -> int:
    """Re-derive the deadlines of every ticking clock of a contract (after a holiday edit)."""
    count = 0
    clocks = SlaClock.objects.filter(
        ticket__contract_id=contract_id, segment_start__isnull=False
    ).select_related("calendar", "ticket")
    touched = {}
    for sla_clock in clocks.iterator(chunk_size=500):
        _schedule(sla_clock)
        sla_clock.save(update_fields=["due_at", "warn_at"])
        touched[sla_clock.ticket_id] = sla_clock.ticket
        count += 1
    for ticket in touched.values():
        refresh_summary(ticket)
    return count


# -- reading a clock ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    target: str
    due_at: dt.datetime | None
    state: str
    remaining_seconds: int
    budget_seconds: int
    calendar_name: str
    ticking: bool
    uncovered_years: tuple[int, ...] = ()

    @property
    def percent_used(self) -> int:
        if not self.budget_seconds:
            return 100
        used = self.budget_seconds - self.remaining_seconds
        return max(0, min(100, used * 100 // self.budget_seconds))

    @property
    def warning(self) -> str:
        """The provisional-calendar sentence, whole, in the reader's language."""
        return provisional_warning(self.uncovered_years)


# A ticket's clocks with their calendars, as every ticket page reads them: compiled once
# (core.statements); in target order, not the model's (ticket, target), which joins the ticket.
_CLOCKS_OF = Statement(lambda ticket_id: SlaClock.objects.filter(ticket_id=ticket_id)
                       .select_related("calendar").order_by("target"))


def clocks_of(ticket: Ticket) -> list[SlaClock]:
    """The ticket's clocks with their calendars, in target order."""
    found = _CLOCKS_OF.objects(ticket.pk)
    for sla_clock in found:
        sla_clock.ticket = ticket
    return found


def views_of(ticket: Ticket, now: dt.datetime) -> list[ClockView]:
    """What the ticket page's SLA panel shows of each of the ticket's clocks."""
    return [view(sla_clock, now) for sla_clock in clocks_of(ticket)]


def view(sla_clock: SlaClock, now: dt.datetime | None = None) -> ClockView:
    now = now or clock.now()
    consumed = _consumed_now(sla_clock, now)
    remaining = sla_clock.budget_seconds - consumed
    state = sla_clock.state
    due = sla_clock.due_at
    if sla_clock.ticking and state == State.RUNNING and remaining <= 0:
        state = State.BREACHED  # the scan may not have run yet; never show it as running
    if not sla_clock.ticking and sla_clock.stopped_at is None and remaining > 0:
        # Paused: the deadline it would have if it resumed now.
        due = _moment(working_time_for(sla_clock.calendar).add_seconds(_epoch(now), remaining))
    uncovered: tuple[int, ...] = ()
    if due is not None and sla_clock.calendar.kind != "24x7" and sla_clock.stopped_at is None:

        rules = day_rules_for(sla_clock.calendar.contract_id)
        uncovered = tuple(
            rules.uncovered_years(engine.local_date(_epoch(now)), engine.local_date(_epoch(due)))
        )
    return ClockView(
        uncovered_years=uncovered,
        target=sla_clock.target,
        due_at=due,
        state=state,
        remaining_seconds=remaining,
        budget_seconds=sla_clock.budget_seconds,
        calendar_name=sla_clock.calendar.name,
        ticking=sla_clock.ticking,
    )


def summary_of(clocks, ticket: Ticket) -> tuple[dt.datetime | None, str]:
    """The earliest due ticking deadline and the worst state of ``clocks``."""
    ticking = [c.due_at for c in clocks if c.ticking and c.due_at]
    states = {c.state for c in clocks}
    if State.BREACHED in states:
        summary = State.BREACHED
    elif any(c.ticking for c in clocks):
        summary = State.RUNNING
    elif State.PAUSED in states and ticket.is_open:
        summary = State.PAUSED
    elif clocks:
        summary = State.MET
    else:
        summary = ""
    return min(ticking, default=None), summary


def refresh_summary(ticket: Ticket) -> None:
    """The earliest due ticking deadline and the worst state, for list filters and sorting."""
    due, summary = summary_of(list(ticket.clocks.all()), ticket)
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due, sla_state=summary)
    ticket.sla_due_at = due
    ticket.sla_state = summary


# -- the periodic scan ----------------------------------------------------------------------


def _recipients(ticket: Ticket):

    users = [ticket.assignee]
    if ticket.group_id and ticket.group.lead_id:
        users.append(ticket.group.lead)
    users.extend(project_managers(ticket.contract_id))
    return [u for u in users if u is not None]


def _announce(sla_clock: SlaClock, event_type: str, subject: str) -> None:

    ticket = sla_clock.ticket
    payload = {
        "ticket": ticket.pk,
        "number": ticket.number,
        "target": sla_clock.target,
        "priority": ticket.priority,
        "due_at": sla_clock.due_at.isoformat() if sla_clock.due_at else None,
        "assignee": ticket.assignee_id,
    }
    events.publish(event_type, contract=ticket.contract, payload=payload, obj=sla_clock)
    notify(
        _recipients(ticket),
        subject=subject,
        body=f"{ticket.number} {ticket.subject}",
        contract=ticket.contract,
        link=reverse("servicedesk:detail", args=[ticket.pk]),
        kind=event_type,
        dedup_key=f"{event_type}:{sla_clock.pk}:{sla_clock.due_at.isoformat() if sla_clock.due_at else ''}",
    )


def scan(now: dt.datetime | None = None) -> tuple[int, int]:
    """Warn the clocks past their warning point, breach the ones past their deadline.
    Safe to run concurrently and repeatedly (row locks, dedup keys)."""
    now = now or clock.now()
    warned = breached = 0
    due_ids = list(
        SlaClock.objects.filter(state=State.RUNNING, segment_start__isnull=False, due_at__lte=now)
        .values_list("pk", flat=True)[:1000]
    )
    for pk in due_ids:
        with transaction.atomic():
            sla_clock = (
                SlaClock.objects.select_for_update().select_related("ticket", "calendar").filter(pk=pk).first()
            )
            if sla_clock is None or sla_clock.state != State.RUNNING or not sla_clock.ticking:
                continue
            sla_clock.state = State.BREACHED
            sla_clock.breached_at = sla_clock.due_at
            sla_clock.save(update_fields=["state", "breached_at"])
            label = sla_clock.get_target_display()
            _announce(sla_clock, EVENT_BREACHED, f"【超时】{sla_clock.ticket.number} {label}已超时")
            refresh_summary(sla_clock.ticket)
            breached += 1
    warn_ids = list(
        SlaClock.objects.filter(
            warned_at__isnull=True, warn_at__lte=now, segment_start__isnull=False, state=State.RUNNING
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in warn_ids:
        with transaction.atomic():
            sla_clock = (
                SlaClock.objects.select_for_update().select_related("ticket", "calendar").filter(pk=pk).first()
            )
            if sla_clock is None or sla_clock.warned_at is not None or not sla_clock.ticking:
                continue
            sla_clock.warned_at = now
            sla_clock.save(update_fields=["warned_at"])
            label = sla_clock.get_target_display()
            _announce(sla_clock, EVENT_WARNING, f"【预警】{sla_clock.ticket.number} {label}即将超时")
            warned += 1
    return warned, breached
