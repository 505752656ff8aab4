"""An article drafted from a resolved ticket: the problem and its fix as the requester
was told it, without personal data; and the way back from an article to its ticket."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.knowledge import access
from weibao.knowledge.models import Article
from weibao.knowledge.services.articles import create_article, require_writer
from weibao.servicedesk.models import Status, Ticket, TicketEntry

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[- ]?)?(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}[- ]?\d{7,8})(?!\d)"
)


def _without_personal_data(value: str, ticket) -> str:
    """The requester's name, phone and email, and any phone, ID or email number, removed
    (PIPL art. 6: an article needs the problem and its fix, not who had it)."""
    redacted = _("【已隐去】")
    value = (value or "").strip()
    for known in (ticket.requester_name, ticket.requester_phone, ticket.requester_email):
        known = (known or "").strip()
        if len(known) >= 2:
            value = value.replace(known, redacted)
    for pattern in (_EMAIL, _ID_NUMBER, _PHONE):
        value = pattern.sub(redacted, value)
    return value


def ticket_answers(ticket) -> list[str]:
    """The fix as the requester was told it: the vendor team's public replies and the
    resolution comments, oldest first (internal notes and the requester's own words are
    not part of it)."""

    entries = (
        ticket.entries.filter(public=True)
        .filter(
            Q(kind=TicketEntry.Kind.REPLY, author__in=access.team_user_ids(ticket.contract_id))
            | Q(kind=TicketEntry.Kind.TRANSITION, to_status=Status.RESOLVED)
        )
        .order_by("created_at", "id")
    )
    answers = (entry.body.strip() for entry in entries)
    return list(dict.fromkeys(answer for answer in answers if answer))


def articles_from(ticket_id: int):
    """The articles written from a ticket, of whatever contract (the ticket page's probe)."""
    return Article.objects.filter(source_ticket_id=ticket_id)


def ticket_can_become_article(ticket) -> bool:
    """Only a finished ticket has a known fix to write down."""

    return ticket.status in (Status.RESOLVED, Status.CLOSED)


@transaction.atomic
def article_from_ticket(ticket, *, by) -> Article:
    """A draft article from a resolved or closed ticket, linked to it.

    Title: the subject. Body: 问题 (the description) and 解决方法 (``ticket_answers``),
    without personal data. The caller has already checked the ticket is visible to ``by``.
    """
    require_writer(by, ticket.contract)
    if not ticket_can_become_article(ticket):
        raise ValidationError(
            {
                "ticket": _("只有已解决或已关闭的工单才能生成知识文章，该工单当前为“%(status)s”。")
                % {"status": ticket.get_status_display()}
            }
        )
    # A double click (or a resent form) must not leave two drafts: the same writer's
    # draft from this ticket, made moments ago, is the answer again.
    recent = (
        Article.objects.filter(
            source_ticket=ticket, created_by=by, status=Article.Status.DRAFT,
            created_at__gte=clock.now() - dt.timedelta(minutes=2),
        )
        .order_by("-pk").first()
    )
    if recent is not None:
        return recent
    question = _without_personal_data(ticket.description, ticket)
    subject = _without_personal_data(ticket.subject, ticket)
    answers = [_without_personal_data(answer, ticket) for answer in ticket_answers(ticket)]
    parts = ["## " + _("问题"), "", question or subject, "", "## " + _("解决方法"), ""]
    parts += [answer + "\n" for answer in answers] or [_("（请补充解决方法。）")]
    return create_article(
        ticket.contract,
        title=subject[:200] or _("来自工单 %(number)s 的文章") % {"number": ticket.number},
        body="\n".join(parts).strip() + "\n",
        by=by,
        source_ticket=ticket,
    )


def visible_source_ticket(article, user):
    """The ticket an article was drafted from, when ``user`` may see that ticket: a
    shared article is read on other contracts, whose members must not learn of it."""
    if not article.source_ticket_id:
        return None

    return (
        Ticket.objects.restrict(user, Capability.VIEW_TICKETS)
        .filter(pk=article.source_ticket_id).only("pk", "number").first()
    )
