"""What people do to tickets: open, change, move through the lifecycle, reply, log work.

Every function takes domain objects and the acting user, refuses (PermissionDenied) a
user who lacks the capability it needs (``by=None`` is Weibao itself: a task, the mail
channel, the portal), checks the business rules, writes the ticket's history, drives its
SLA clocks, and audits personal data.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.contracts.access import can, require
from weibao.contracts.roles import Capability
from weibao.contracts.services import project_managers
from weibao.core import clock, events
from weibao.core.masking import mask, mask_email, mask_name, mask_phone
from weibao.notifications.services import notify
from weibao.people import compliance
from weibao.servicedesk import closing
from weibao.servicedesk.models import (
    SlaClock,
    Ticket,
    TicketCounter,
    TicketEntry,
    TicketLink,
    Worklog,
)
from weibao.servicedesk.models import Status as S
from weibao.servicedesk.services import sla, workflow

PERSONAL_FIELDS = ("requester_name", "requester_phone", "requester_email")
EDITABLE_FIELDS = (
    "type", "priority", "channel", "subject", "description", "component", "assignee", "group",
    "needs_onsite", "requester_name", "requester_organisation", "requester_phone", "requester_email",
)


# Names only from the model's own metadata; the values are parameters.
_NEXT_NUMBER_SQL = (
    f'UPDATE "{TicketCounter._meta.db_table}" SET "last" = "last" + 1 '  # noqa: S608
    'WHERE "contract_id" = %s AND "year" = %s RETURNING "last"'
)


def next_number(contract, now: dt.datetime) -> str:
    """SL-2026-000123: per contract and year, gap-free under concurrent creation.

    One statement in the common case: the UPDATE … RETURNING takes the counter row's lock
    until the caller's transaction ends, so a rolled-back creation gives its number back
    and a concurrent one waits for it (PostgreSQL and SQLite ≥ 3.35 both return the row).
    """
    year = now.astimezone(clock.SHANGHAI).year
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_NUMBER_SQL, [contract.pk, year])
            row = cursor.fetchone()
    if row is None:
        # The contract's first ticket this year: a savepoint, as a concurrent first one may
        # insert the row first (get_or_create then reads theirs), and the UPDATE again.
        TicketCounter.objects.get_or_create(contract=contract, year=year)
        return next_number(contract, now)
    return f"SL-{year}-{row[0]:06d}"


def _check_assignee(ticket: Ticket, user) -> None:
    # Clause 十一.4: no subcontracting — only the contract's own vendor team works tickets.
    if user is not None and not can(user, ticket.contract_id, Capability.WORK_TICKETS):
        raise ValidationError(
            {"assignee": _("处理人必须是本合同乙方团队成员（合同第十一条第4款：不得转包）。")}
        )
    if user is not None:
        # Clause 五.2: insured, under a signed confidentiality agreement (or the PM's override).
        allowed, reasons = compliance.may_be_assigned(user, ticket.contract)
        if not allowed:
            raise ValidationError(
                {"assignee": _("%(who)s 暂不能分派工作：%(why)s") % {"who": _name(user), "why": "；".join(reasons)}}
            )


def _check_catalogue(ticket: Ticket) -> None:
    if ticket.component_id and ticket.component.contract_id != ticket.contract_id:
        raise ValidationError({"component": _("该服务目录项不属于本合同。")})
    if ticket.group_id and ticket.group.contract_id != ticket.contract_id:
        raise ValidationError({"group": _("该支持组不属于本合同。")})


def normalise_phone(raw) -> str:
    """A requester's phone as stored: its digits only ("139-1234-5678" → "13912345678").

    Every lookup by phone matches on digits (the portal's follow-up, the hotline's caller
    history, the list's search), so the stored value must be digits too, whichever
    channel wrote it, and the portal's follow-up normalises what the citizen types with
    this same function.
    Refuses a non-empty value that has no digit at all.
    """
    text = str(raw or "").strip()
    digits = "".join(ch for ch in text if ch in "0123456789")
    if text and not digits:
        raise ValidationError({"requester_phone": _("联系电话应包含数字。")})
    return without_country_code(digits)


def without_country_code(digits: str) -> str:
    """China's country code dropped, so the same caller is found whether they type it or
    not: "+86 139…" → "139…"; "+86 (0375) 123…" → "0375123…"; "+86 375 123…" (the
    international form drops the trunk 0) → "0375123…". Other numbers are kept whole."""
    for prefix in ("0086", "86"):
        if not digits.startswith(prefix):
            continue
        rest = digits[len(prefix):]
        if len(rest) == 11 and rest.startswith("1"):  # mobile
            return rest
        if rest.startswith("0") and 10 <= len(rest) <= 12:  # landline typed with its 0
            return rest
        if rest[:1] in "23456789" and 9 <= len(rest) <= 11:  # landline, international form
            return "0" + rest
    return digits


def _personal(ticket: Ticket) -> dict:
    return {
        "requester_name": mask_name(ticket.requester_name),
        "requester_phone": mask_phone(ticket.requester_phone),
        "requester_email": mask_email(ticket.requester_email),
    }


def create_ticket(contract, *, by, **fields) -> Ticket:
    """Open a ticket: numbered, its creation in the history, its SLA clocks running,
    audited and published (``ticket.created``), all in one transaction.

    Every check that may refuse (ValidationError, PermissionDenied) runs before the first
    write, so the writes need no savepoint of their own: a caller that catches the refusal
    (the new-ticket form shows it beside its field) keeps a usable transaction, and any
    failure after the first write fails the caller's whole transaction.
    """
    require(by, contract.pk, Capability.CREATE_TICKETS)
    if "requester_phone" in fields:
        fields["requester_phone"] = normalise_phone(fields["requester_phone"])
    now = clock.now()
    ticket = Ticket(contract=contract, created_by=by, created_at=now, updated_at=now, **fields)
    _check_catalogue(ticket)
    _check_assignee(ticket, ticket.assignee)
    if ticket.assignee_id:
        ticket.status = S.ASSIGNED
    # The creator is the acting user, and a catalogue entry, group or assignee given as an
    # object was loaded (and checked against the contract above): none is looked up again.
    in_hand = [name for name in ("component", "group", "assignee") if isinstance(fields.get(name), models.Model)]
    ticket.full_clean(exclude=["contract", "number", "created_by", *in_hand])
    # The clocks are planned before the ticket is written, so the list's SLA summary is
    # written with it (no reload of the clocks, no second UPDATE).
    clocks = sla.plan_clocks(ticket)
    ticket.sla_due_at, ticket.sla_state = sla.summary_of(clocks, ticket)
    return _open(ticket, clocks, by=by, now=now)


@transaction.atomic(savepoint=False)
def _open(ticket: Ticket, clocks: list[SlaClock], *, by, now: dt.datetime) -> Ticket:
    ticket.number = next_number(ticket.contract, now)
    ticket.save(force_insert=True)
    TicketEntry.objects.create(
        ticket=ticket, kind=TicketEntry.Kind.TRANSITION, author=by, author_name=_name(by),
        to_status=ticket.status, body=_("工单已创建"), created_at=now,
    )
    sla.save_clocks(ticket, clocks)
    # As started, for an answer built right after the creation (the API's) without a query.
    ticket.started_clocks = clocks
    audit.record("ticket.create", obj=ticket, actor=by, after=_personal(ticket) | {"number": ticket.number})
    # For the requester's mail notification (weibao.mailchannel) and the roadmap's subscribers.
    events.publish("ticket.created", contract=ticket.contract, obj=ticket)
    return ticket


def _name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


@transaction.atomic
def update_ticket(ticket: Ticket, *, by, comment: str = "", **changes) -> Ticket:
    require(by, ticket.contract_id, Capability.WORK_TICKETS)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段不能修改。") for name in sorted(unknown)})
    if not ticket.is_open and changes:
        raise ValidationError({"status": _("工单已结束，不能修改。")})
    if "requester_phone" in changes:
        changes["requester_phone"] = normalise_phone(changes["requester_phone"])
    before = {name: getattr(ticket, name) for name in changes}
    for name, value in changes.items():
        setattr(ticket, name, value)
    diff = {
        name: [_logged(name, before[name]), _logged(name, getattr(ticket, name))]
        for name in changes
        if before[name] != getattr(ticket, name)
    }
    if not diff:
        return ticket
    _check_catalogue(ticket)
    if "assignee" in diff:
        _check_assignee(ticket, ticket.assignee)
    ticket.full_clean(exclude=["contract", "number"])
    now = clock.now()
    ticket.updated_at = now
    ticket.save()
    TicketEntry.objects.create(
        ticket=ticket, kind=TicketEntry.Kind.CHANGE, author=by, author_name=_name(by),
        changes=diff, body=comment, created_at=now,
    )
    if "priority" in diff or "type" in diff or "needs_onsite" in diff:
        _ensure_arrival_clock(ticket)
        sla.apply_policy_change(ticket, now)
    if "assignee" in diff and ticket.assignee is not None:
        if ticket.status == S.NEW:
            _move(ticket, S.ASSIGNED, by=by, comment=comment, now=now)
        _tell_assignee(ticket)
    personal = [name for name in diff if name in PERSONAL_FIELDS]
    if personal:
        audit.record(
            "ticket.personal_data.change", obj=ticket, actor=by,
            # The trail keeps that a value changed, masked like every other surface shows it.
            before={n: mask(REVEALABLE[n], str(before[n] or "")) for n in personal},
            after={n: mask(REVEALABLE[n], getattr(ticket, n) or "") for n in personal},
        )
    return ticket


def _ensure_arrival_clock(ticket: Ticket) -> None:
    if ticket.needs_onsite and not ticket.clocks.filter(target=SlaClock.Target.ARRIVAL).exists():
        policy = sla.policy_for(ticket)
        if policy and policy.arrival_minutes and policy.arrival_calendar_id:
            arrival = SlaClock(
                ticket=ticket, target=SlaClock.Target.ARRIVAL, calendar=policy.arrival_calendar,
                budget_seconds=policy.arrival_minutes * 60, warn_percent=policy.warn_percent,
                segment_start=clock.now(),
            )
            if ticket.status == S.WAITING:
                # 0006: waiting on the requester pauses every clock; leaving it resumes this one.
                arrival.segment_start = None
                arrival.state = SlaClock.State.PAUSED
            else:
                sla._schedule(arrival)
            arrival.save()


def _logged(name: str, value) -> str:
    """A changed value as the ticket's history shows it to everyone who reads the ticket:
    a phone masked (the clear one is revealed on request, audited)."""
    shown = _display(value)
    return mask_phone(shown) if name == "requester_phone" else shown


def _display(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def _tell_assignee(ticket: Ticket) -> None:
    from django.urls import reverse


    notify(
        ticket.assignee, subject=f"新分派工单 {ticket.number} {ticket.subject}", contract=ticket.contract,
        link=reverse("servicedesk:detail", args=[ticket.pk]), kind="ticket.assigned",
        dedup_key=f"ticket.assigned:{ticket.pk}:{ticket.assignee_id}:{ticket.updated_at.isoformat()}",
    )


@transaction.atomic
def transition(ticket: Ticket, to: str, *, by, comment: str = "", assignee=None) -> Ticket:
    require(by, ticket.contract_id, Capability.WORK_TICKETS)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    workflow.check(ticket.status, to)
    now = clock.now()
    tell_assignee = False
    if to == S.ASSIGNED:
        if assignee is not None:
            _check_assignee(ticket, assignee)
            tell_assignee = ticket.assignee_id != assignee.pk
            ticket.assignee = assignee
        if ticket.assignee_id is None:
            raise ValidationError({"assignee": _("分派时必须指定处理人。")})
    if to == S.RESOLVED and not comment.strip():
        raise ValidationError({"comment": _("标记已解决时请填写解决说明。")})
    if to == S.CLOSED:
        closing.check_closable(ticket)
    _move(ticket, to, by=by, comment=comment, now=now)
    if tell_assignee:
        # Stored with the move (the notification outbox), sent after commit: a database
        # that fails right after the commit can neither lose it nor fail the move's answer.
        _tell_assignee(ticket)
    return ticket


def _move(ticket: Ticket, to: str, *, by, comment: str, now: dt.datetime) -> None:
    previous = ticket.status
    ticket.status = to
    ticket.updated_at = now
    if to in (S.IN_PROGRESS, S.WAITING, S.RESOLVED) and ticket.first_response_at is None:
        ticket.first_response_at = now
        sla.stop(ticket, SlaClock.Target.RESPONSE, now)
    if previous == S.WAITING:
        sla.resume(ticket, now)
    if to == S.WAITING:
        sla.pause(ticket, now)
    if to == S.RESOLVED:
        ticket.resolved_at = now
        sla.stop(ticket, SlaClock.Target.RESOLUTION, now)
    if previous == S.RESOLVED and to == S.IN_PROGRESS:
        ticket.resolved_at = None
        sla.reopen(ticket, now)
    if to == S.CLOSED:
        ticket.closed_at = now
        sla.halt(ticket, now)
    if to == S.CANCELLED:
        sla.halt(ticket, now)
    ticket.save()
    TicketEntry.objects.create(
        ticket=ticket, kind=TicketEntry.Kind.TRANSITION, author=by, author_name=_name(by),
        from_status=previous, to_status=to, body=comment, created_at=now,
        public=to in (S.RESOLVED, S.CLOSED, S.CANCELLED, S.WAITING),
    )
    _tell_watchers(ticket, by, f"{ticket.number} {S(previous).label} → {S(to).label}", now)
    if to == S.RESOLVED:
        events.publish("ticket.resolved", contract=ticket.contract, obj=ticket, payload={"comment": comment})


def _tell_watchers(ticket: Ticket, by, subject: str, now: dt.datetime) -> None:
    from django.urls import reverse


    watchers = [user for user in ticket.watchers.all() if by is None or user.pk != by.pk]
    if watchers:
        notify(
            watchers, subject=subject, contract=ticket.contract, kind="ticket.watch",
            link=reverse("servicedesk:detail", args=[ticket.pk]),
            dedup_key=f"ticket.watch:{ticket.pk}:{now.isoformat()}",
        )


def toggle_watch(ticket: Ticket, user) -> bool:
    """Start or stop following a ticket; True when now watching."""
    require(user, ticket.contract_id, Capability.VIEW_TICKETS)
    if ticket.watchers.filter(pk=user.pk).exists():
        ticket.watchers.remove(user)
        return False
    ticket.watchers.add(user)
    return True


@transaction.atomic
def add_reply(ticket: Ticket, body: str, *, by, public: bool = True, author_name: str = "") -> TicketEntry:
    """A reply (public) or internal note. ``author_name`` names a requester who has no account.

    A user who may not write internal notes asking for one is refused, not published:
    what they meant to keep from the requester is never sent to them."""
    if public:
        require(by, ticket.contract_id, Capability.REPLY, _("您不能在此工单回复。"))
    else:
        require(by, ticket.contract_id, Capability.WRITE_INTERNAL_NOTE, _("内部备注仅限乙方团队。"))
    if not body.strip():
        raise ValidationError({"body": _("内容不能为空。")})
    # The ticket row is locked before anything refers to it, as transition() does: an
    # entry's foreign key takes a share lock on the ticket, and upgrading that lock to
    # update the ticket while a transition waits for it deadlocks on PostgreSQL (seen
    # under the load test as a 503).
    current = Ticket.objects.select_for_update().only("status", "first_response_at").get(pk=ticket.pk)
    ticket.status, ticket.first_response_at = current.status, current.first_response_at
    now = clock.now()
    entry = TicketEntry.objects.create(
        ticket=ticket, kind=TicketEntry.Kind.REPLY if public else TicketEntry.Kind.NOTE,
        author=by, author_name=(_name(by) or author_name)[:100], body=body, public=public,
        created_at=now,
    )
    if public:
        events.publish("ticket.replied", contract=ticket.contract, obj=ticket, payload={"entry": entry.pk})
    vendor = by is not None and can(by, ticket.contract_id, Capability.WORK_TICKETS)
    if public and vendor and ticket.first_response_at is None and ticket.is_open:
        ticket.first_response_at = now
        sla.stop(ticket, SlaClock.Target.RESPONSE, now)
    ticket.updated_at = now
    Ticket.objects.filter(pk=ticket.pk).update(
        updated_at=now, first_response_at=ticket.first_response_at
    )
    return entry


def record_call(ticket: Ticket, *, started_at: dt.datetime, ended_at: dt.datetime) -> Ticket:
    """When the hotline call behind ``ticket`` began and ended (通话时长, the hotline's
    figures). Refuses an end before the start."""
    if ended_at < started_at:
        raise ValidationError({"started_at": _("通话开始时间不能晚于结束时间。")})
    Ticket.objects.filter(pk=ticket.pk).update(call_started_at=started_at, call_ended_at=ended_at)
    ticket.call_started_at, ticket.call_ended_at = started_at, ended_at
    return ticket


@transaction.atomic
def close_on_first_contact(ticket: Ticket, answer: str, *, by) -> Ticket:
    """首次接触解决: ``by`` answered the request on first contact (a call). In one call:
    the ticket is assigned to ``by``, the answer is a public reply, and the ticket is
    resolved, closed and counted as resolved on first contact."""
    require(by, ticket.contract_id, Capability.WORK_TICKETS)
    if by is None:
        raise ValidationError({"assignee": _("分派时必须指定处理人。")})
    if not answer.strip():
        raise ValidationError({"answer": _("当场解答时请填写答复内容。")})
    transition(ticket, S.ASSIGNED, by=by, assignee=by)
    add_reply(ticket, answer.strip(), by=by, public=True)
    transition(ticket, S.IN_PROGRESS, by=by)
    transition(ticket, S.RESOLVED, by=by, comment=_("电话中当场解答"))
    ticket = transition(ticket, S.CLOSED, by=by, comment=_("首次接触解决"))
    Ticket.objects.filter(pk=ticket.pk).update(first_contact_resolved=True)
    ticket.first_contact_resolved = True
    return ticket


@transaction.atomic
def record_arrival(ticket: Ticket, *, by, at: dt.datetime | None = None) -> Ticket:
    """The engineer arrived on site (from a visit check-in or by hand)."""
    require(by, ticket.contract_id, Capability.WORK_TICKETS)
    if not ticket.needs_onsite:
        raise ValidationError({"needs_onsite": _("该工单不需要到场。")})
    if ticket.arrived_at is not None:
        raise ValidationError({"arrived_at": _("已记录到场时间。")})
    at = at or clock.now()
    if at > clock.now():
        raise ValidationError({"arrived_at": _("到场时间不能晚于现在。")})
    if at < ticket.created_at:
        raise ValidationError({"arrived_at": _("到场时间不能早于工单创建时间。")})
    ticket.arrived_at = at
    ticket.save(update_fields=["arrived_at"])
    sla.stop(ticket, SlaClock.Target.ARRIVAL, at)
    TicketEntry.objects.create(
        ticket=ticket, kind=TicketEntry.Kind.SLA, author=by, author_name=_name(by),
        body=_("工程师已到达现场"), created_at=clock.now(),
    )
    return ticket


def add_worklog(ticket: Ticket, *, by, minutes: int, note: str = "", work_date=None) -> Worklog:
    require(by, ticket.contract_id, Capability.WORK_TICKETS, _("只有乙方团队成员可以登记工时。"))
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": _("用时应在 1–1440 分钟之间。")})
    return Worklog.objects.create(
        ticket=ticket, user=by, minutes=minutes, note=note, work_date=work_date or clock.today()
    )


def link(ticket: Ticket, other: Ticket, *, by, kind: str = TicketLink.Kind.RELATES) -> TicketLink:
    require(by, ticket.contract_id, Capability.WORK_TICKETS)
    if other.contract_id != ticket.contract_id:
        raise ValidationError({"to_ticket": _("只能关联同一合同的工单。")})
    if kind not in TicketLink.Kind.values:
        raise ValidationError({"kind": _("未知的关联类型。")})
    if other.pk == ticket.pk:
        raise ValidationError({"to_ticket": _("不能关联自身。")})
    created, _new = TicketLink.objects.get_or_create(
        from_ticket=ticket, to_ticket=other, defaults={"kind": kind, "created_by": by}
    )
    return created


def may_reveal_phone(user, ticket: Ticket) -> bool:
    """Whether ``user`` may see the requester's clear phone: those who call back (the
    vendor team, the bureau liaison). The one rule for the ticket page, the API and exports."""
    return user is not None and can(user, ticket.contract_id, Capability.REVEAL_PERSONAL_DATA)


# The requester's personal data a reveal may show, each with its masking kind.
REVEALABLE = {"requester_phone": "phone", "requester_name": "name", "requester_email": "email"}
REASON_MAX = 500


def reveal(ticket: Ticket, field: str, *, by, reason: str = "") -> str:
    """One clear personal value of ``ticket``'s requester, for the one who needs it; audited
    with who, which record, which field and why — never the value. Refuses (PermissionDenied)
    anyone ``may_reveal_phone`` does not allow; an unknown field is a ValidationError."""
    if field not in REVEALABLE:
        raise ValidationError({"field": _("不能显示此字段：%(field)s") % {"field": field[:64]}})
    if by is None:
        raise PermissionDenied  # a clear value is read by a person, audited by name
    require(by, ticket.contract_id, Capability.REVEAL_PERSONAL_DATA)
    detail = {"field": field}
    if reason:
        detail["reason"] = reason.strip()[:REASON_MAX]
    audit.record("ticket.personal_data.read", obj=ticket, actor=by, detail=detail)
    return getattr(ticket, field)


def reveal_phone(ticket: Ticket, *, by, reason: str = "") -> str:
    """The full phone number, for the one who needs to call back; the read is audited."""
    return reveal(ticket, "requester_phone", by=by, reason=reason)


def shown_personal(ticket: Ticket, field: str, *, to, allowed: bool | None = None) -> str:
    """The requester's name or e-mail as ``to`` is shown it: clear to those who may reveal
    personal data on the ticket's contract (they call back), masked for everyone else
    (issue 17). ``allowed`` spares a list the check per row."""
    value = getattr(ticket, field) or ""
    if allowed is None:
        allowed = may_reveal_phone(to, ticket)
    return value if allowed else mask(REVEALABLE[field], value)


def shown_phone(ticket: Ticket, *, to, reveal: bool = False) -> str:
    """The requester's phone as ``to`` is shown it: clear only when asked to ``reveal`` and
    allowed, and then audited as a reveal; masked otherwise (lists, exports, write answers)."""
    if reveal and ticket.requester_phone and may_reveal_phone(to, ticket):
        return reveal_phone(ticket, by=to)
    return mask_phone(ticket.requester_phone)


@transaction.atomic
def urge(ticket: Ticket, *, by, comment: str = "") -> Ticket:
    """督办: the bureau presses for an open ticket. Recorded, notified, published."""
    require(by, ticket.contract_id, Capability.URGE, _("只有甲方人员可以督办。"))
    if not ticket.is_open:
        raise ValidationError({"status": _("工单已结束，无需督办。")})
    now = clock.now()
    Ticket.objects.filter(pk=ticket.pk).update(urged_count=F("urged_count") + 1, urged_at=now)
    ticket.refresh_from_db()
    TicketEntry.objects.create(
        ticket=ticket, kind=TicketEntry.Kind.URGE, author=by, author_name=_name(by),
        body=comment[:2000], created_at=now,
    )
    notify(
        [ticket.assignee, *project_managers(ticket.contract_id)], subject=f"【督办】{ticket.number} {ticket.subject}", body=comment,
        contract=ticket.contract, link=reverse("servicedesk:detail", args=[ticket.pk]),
        kind="ticket.urged", dedup_key=f"ticket.urged:{ticket.pk}:{ticket.urged_count}",
    )
    events.publish("ticket.urged", contract=ticket.contract, obj=ticket,
                   payload={"ticket": ticket.pk, "number": ticket.number, "count": ticket.urged_count})
    return ticket
