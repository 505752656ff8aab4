"""A hotline call (咨询服务) becomes a consultation ticket: closed on the call as a
first-contact resolution, or routed to the engineers' queue for follow-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from weibao.core import clock
from weibao.servicedesk.models import (
    OPEN_STATUSES,
    Channel,
    Status,
    SupportGroup,
    Ticket,
    TicketType,
)
from weibao.servicedesk.services import tickets as desk

ANSWERED = "answered"
FOLLOW_UP = "follow_up"
FOLLOW_UP_GROUP = "二线运维组"
MAX_CALL = dt.timedelta(hours=4)


@dataclass(frozen=True)
class Call:
    phone: str
    name: str
    organisation: str
    question: str
    answer: str
    started_at: dt.datetime
    component: object | None = None


def _subject(question: str) -> str:
    first_line = question.strip().splitlines()[0] if question.strip() else ""
    return first_line[:60] or _("电话咨询")


@transaction.atomic
def log_call(contract, call: Call, outcome: str, *, agent) -> Ticket:
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
    started = call.started_at if now - MAX_CALL <= call.started_at <= now else now
    ticket = desk.create_ticket(
        contract,
        by=agent,
        type=TicketType.CONSULTATION,
        priority="p4" if outcome == ANSWERED else "p3",
        channel=Channel.PHONE,
        subject=_subject(call.question),
        description=call.question.strip(),
        requester_name=call.name.strip() or _("来电群众"),
        requester_organisation=call.organisation.strip(),
        requester_phone=call.phone.strip(),
        component=call.component,
    )
    Ticket.objects.filter(pk=ticket.pk).update(call_started_at=started, call_ended_at=now)
    if outcome == ANSWERED:
        desk.transition(ticket, Status.ASSIGNED, by=agent, assignee=agent)
        desk.add_reply(ticket, call.answer.strip(), by=agent, public=True)
        desk.transition(ticket, Status.IN_PROGRESS, by=agent)
        desk.transition(ticket, Status.RESOLVED, by=agent, comment=_("电话中当场解答"))
        desk.transition(ticket, Status.CLOSED, by=agent, comment=_("首次接触解决"))
        Ticket.objects.filter(pk=ticket.pk).update(first_contact_resolved=True)
    else:
        group = SupportGroup.objects.filter(contract=contract, name=FOLLOW_UP_GROUP).first()
        if group is not None:
            Ticket.objects.filter(pk=ticket.pk).update(group=group)
        if call.answer.strip():
            desk.add_reply(ticket, call.answer.strip(), by=agent, public=False)
    ticket.refresh_from_db()
    return ticket


def caller_history(contract, phone: str, limit: int = 8):
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return []
    return list(
        Ticket.objects.filter(contract=contract, requester_phone=digits).order_by("-created_at")[:limit]
    )


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
    follow_ups = Ticket.objects.filter(
        contract=contract, created_by=agent, channel=Channel.PHONE, status__in=OPEN_STATUSES
    ).count()
    return AgentDay(figures["calls"], figures["answered"], follow_ups)
