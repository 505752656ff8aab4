"""A hotline call (咨询服务) becomes a consultation ticket: closed on the call as a
first-contact resolution, or routed to the engineers' queue for follow-up."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.encrypted_fields import search_hashes
from weibao.core.masking import mask_phone
from weibao.servicedesk.models import (
    Channel,
    SupportGroup,
    Ticket,
    TicketType,
)
from weibao.servicedesk.services import submissions, tickets

ANSWERED = "answered"
FOLLOW_UP = "follow_up"
MAX_CALL = dt.timedelta(hours=4)


@dataclass(frozen=True)
class Call:
    phone: str
    name: str
    organisation: str
    question: str
    answer: str
    started_at: dt.datetime | None
    component: object | None = None


def parse_call_start(raw: str) -> dt.datetime | None:
    """The call's start as the screen sent it (ISO 8601 with a time zone, set by the
    browser at the first keystroke in the phone or question field); None when absent.

    A value that is not such a time (no time zone, an impossible date) is refused by
    name rather than guessed at: it did not come from the screen.
    """
    raw = (raw or "").strip()
    if not raw:
        return None
    problem = _(
        "通话开始时间（started_at）无效：应为带时区的 ISO 8601 时间，例如 2026-11-24T09:30:00+08:00。"
        "再次提交将按提交时间记录。"
    )
    try:
        moment = parse_datetime(raw[:64])
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30T10:00:00
        moment = None
    if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError({"started_at": problem})
    return moment


def talk_start(started_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When the call began, as counted: the screen's value clamped to the last
    ``MAX_CALL`` (a client clock running ahead or a form left open overnight cannot make
    talk time negative or endless); now when the screen sent none."""
    if started_at is None:
        return now
    return min(max(started_at, now - MAX_CALL), now)


def follow_up_group(contract) -> SupportGroup | None:
    """The contract's group for hotline follow-ups (SupportGroup.hotline_follow_up), or
    None when the contract has not chosen one."""
    return SupportGroup.objects.filter(contract=contract, hotline_follow_up=True).first()


def _subject(question: str) -> str:
    first_line = question.strip().splitlines()[0] if question.strip() else ""
    return first_line[:60] or _("电话咨询")


def log_call(contract, call: Call, outcome: str, *, agent, submission_key: uuid.UUID | None = None) -> Ticket:
    """Log a call as a consultation ticket (see ``log_call_once``)."""
    return log_call_once(contract, call, outcome, agent=agent, submission_key=submission_key)[0]


@transaction.atomic
def log_call_once(
    contract, call: Call, outcome: str, *, agent, submission_key: uuid.UUID | None = None
) -> tuple[Ticket, bool]:
    """Log a call as a consultation ticket: ``(ticket, created)``. A follow-up goes to the
    contract's follow-up group; without one it is left ungrouped (``ticket.group`` is
    None: tell the agent). Only the vendor's team logs calls (PermissionDenied otherwise).

    The call form's ``submission_key`` makes it one ticket however often it is sent (a
    shortcut and its accesskey, a retry, a second tab): a repeat returns the first
    ticket, unchanged, with ``created`` False.
    """
    require(agent, contract.pk, Capability.LOG_CALLS)
    return submissions.once(
        contract, by=agent, key=submission_key,
        create=lambda: _new_call_ticket(contract, call, outcome, agent, submission_key),
    )


def _new_call_ticket(contract, call: Call, outcome: str, agent, submission_key) -> Ticket:
    errors = {}
    if not call.question.strip():
        errors["question"] = _("请填写来电问题。")
    if outcome == ANSWERED and not call.answer.strip():
        errors["answer"] = _("当场解答时请填写答复内容。")
    if outcome not in (ANSWERED, FOLLOW_UP):
        errors["outcome"] = _("请选择“当场解答”或“需要跟进”。")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    started = talk_start(call.started_at, now)
    ticket = tickets.create_ticket(
        contract,
        by=agent,
        type=TicketType.CONSULTATION,
        priority="p4" if outcome == ANSWERED else "p3",
        channel=Channel.PHONE,
        subject=_subject(call.question),
        description=call.question.strip(),
        requester_name=call.name.strip() or _("来电群众"),
        requester_organisation=call.organisation.strip(),
        requester_phone=call.phone,  # stored as digits by the service desk
        component=call.component,
        group=follow_up_group(contract) if outcome == FOLLOW_UP else None,
        submission_key=submission_key,
    )
    tickets.record_call(ticket, started_at=started, ended_at=now)
    if outcome == ANSWERED:
        tickets.close_on_first_contact(ticket, call.answer, by=agent)
    elif call.answer.strip():
        tickets.add_reply(ticket, call.answer.strip(), by=agent, public=False)
    ticket.refresh_from_db()
    return ticket


def caller_history(contract, phone: str, *, by, limit: int = 8):
    """The latest tickets of the caller at ``phone``, for the agent ``by``; each lookup of a
    number is audited (masked), found or not: who looked up which caller. Only the
    vendor's team looks callers up (PermissionDenied otherwise)."""
    require(by, contract.pk, Capability.LOG_CALLS)
    try:
        digits = tickets.normalise_phone(phone)
    except ValidationError:
        return []
    if len(digits) < 7:
        return []
    history = list(
        Ticket.objects.filter(contract=contract, requester_phone_hash__in=search_hashes("phone", digits))
        .order_by("-created_at")[:limit]
    )
    audit.record("hotline.caller_history", actor=by, contract=contract, object_type="servicedesk.ticket",
                 object_repr=mask_phone(digits), detail={"phone": mask_phone(digits), "found": len(history)})
    return history


def recent_submission_keys(contract, agent, limit: int = 20) -> list[str]:
    """The keys of the agent's latest logged call forms: a draft the browser kept of one
    of these was sent, whatever the browser saw of the answer."""
    keys = (
        Ticket.objects.filter(contract=contract, created_by=agent, submission_key__isnull=False)
        .order_by("-created_at").values_list("submission_key", flat=True)[:limit]
    )
    return [str(key) for key in keys]


@dataclass(frozen=True)
class AgentDay:
    calls: int
    answered_on_call: int
    open_follow_ups: int

    @property
    def first_contact_rate(self) -> int | None:
        return round(self.answered_on_call * 100 / self.calls) if self.calls else None


def agent_day(contract, agent) -> AgentDay:
    midnight = clock.local_now().replace(hour=0, minute=0, second=0, microsecond=0)
    figures = Ticket.objects.filter(
        contract=contract, created_by=agent, channel=Channel.PHONE, created_at__gte=midnight
    ).aggregate(calls=Count("id"), answered=Count("id", filter=Q(first_contact_resolved=True)))
    # The same rule as the list's view=follow_ups, which the figure links to.
    follow_ups = Ticket.objects.filter(contract=contract).hotline_follow_ups(agent).count()
    return AgentDay(figures["calls"], figures["answered"], follow_ups)
