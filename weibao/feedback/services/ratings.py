"""Rating a finished ticket (好差评): who rates, once per side, and the requester's own
rating replacing a vendor-recorded one; a dissatisfied rating opens a rectification."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.core import clock
from weibao.feedback.access import PORTAL_REQUESTER, Rater, rater_for
from weibao.feedback.models import Level, Rating, Rectification
from weibao.feedback.services.rectifications import (
    notify_rerated,
    open_rectification,
    reopen_rectification,
)
from weibao.servicedesk.models import Status, Ticket

RATEABLE = (Status.RESOLVED, Status.CLOSED)

RATING_FIELDS = ["level", "comment", "source", "recorded_by", "superseded_at"]


_UNREAD = object()


def may_rate(user, ticket: Ticket, *, on_portal: bool = False, existing=_UNREAD) -> bool:
    """Whether ``user`` (None: the requester on the portal) may rate ``ticket`` now: once
    per side, and the requester's own rating may replace a vendor-recorded one.
    ``existing``: the ticket's rating (or None) when the caller has read it already."""
    return _may_rate(rater_for(user, ticket, on_portal=on_portal), ticket, existing)


def _may_rate(rater: Rater, ticket: Ticket, existing=_UNREAD) -> bool:
    if ticket.status not in RATEABLE or not rater.may_rate:
        return False
    if existing is _UNREAD:
        existing = Rating.objects.filter(ticket=ticket).first()
    return existing is None or (existing.relayed and not rater.relays)


def rate_on_portal(ticket: Ticket, level: int, comment: str = "", *, user) -> Rating:
    """The portal's rating form; ``user`` is the browser's account, if any. A member of
    the ticket's contract signed in on this browser rates as themselves (a vendor member
    relays); one who may not rate (e.g. an engineer) is refused, not taken for the
    requester. Anyone else is the requester."""
    rater = rater_for(user, ticket, on_portal=True)
    if not rater.may_rate:
        raise ValidationError({"level": _("您的账号不能为该工单评价。")})
    return _rate(ticket, level, comment, rater=rater, source=Rating.Source.PORTAL)


def rate(ticket: Ticket, level: int, comment: str = "", *, by=None, source: str) -> Rating:
    """Only when resolved or closed; a level of 不满意 or 非常不满意 opens a rectification.

    ``by`` is None for the requester on the portal; a member who may not rate the ticket
    is refused (PermissionDenied). A vendor member's rating is stored as a phone call-back
    (source ``phone``) whatever ``source`` says. The requester's own rating replaces a
    vendor-recorded one, once, in the same row; otherwise a ticket is rated once. A
    replacement reopens a closed rectification if dissatisfied, and tells the PMs of the
    new level if it is still open. Every rating and replacement is audited.
    """
    rater = rater_for(by, ticket)
    if not rater.may_rate:
        raise PermissionDenied(_("您不能为此工单评价。"))
    return _rate(ticket, level, comment, rater=rater, source=source)


def _rate(ticket: Ticket, level: int, comment: str, *, rater: Rater, source: str) -> Rating:
    by = rater.user
    if level not in Level.values:
        raise ValidationError({"level": _("评价等级应为 1–5（5 = 非常满意）。")})
    if ticket.status not in RATEABLE:
        raise ValidationError({"level": _("工单解决或关闭后才能评价。")})
    if rater.relays:
        source = Rating.Source.PHONE
    elif source == Rating.Source.PHONE:
        raise ValidationError({"source": _("电话回访评价只能由乙方坐席或项目经理代录。")})
    try:
        with transaction.atomic():
            existing = Rating.objects.select_for_update().filter(ticket=ticket).first()
            if existing is None:
                rating = _record(ticket, level, comment, by=by, source=source)
            elif existing.relayed and source != Rating.Source.PHONE:
                rating = _supersede(existing, level, comment, by=by, source=source)
            else:
                raise ValidationError({"level": _("该工单已评价，不能重复评价。")})
    except IntegrityError:
        raise ValidationError({"level": _("该工单已评价，不能重复评价。")}) from None
    return rating


def _audit_rating(action: str, rating: Rating, *, by, before: dict | None = None) -> None:
    audit.record(
        action, obj=rating, actor=by, actor_username=PORTAL_REQUESTER, before=before,
        after=audit.snapshot(rating, RATING_FIELDS),
        detail={"ticket": rating.ticket.number, "level": rating.level, "source": rating.source},
    )


def _record(ticket: Ticket, level: int, comment: str, *, by, source: str) -> Rating:
    rating = Rating.objects.create(
        contract_id=ticket.contract_id, ticket=ticket, level=level,
        comment=comment[:2000], source=source, recorded_by=by,
    )
    _audit_rating("rating.create", rating, by=by)
    if rating.dissatisfied:
        open_rectification(rating)
    return rating


def _supersede(rating: Rating, level: int, comment: str, *, by, source: str) -> Rating:
    before = audit.snapshot(rating, RATING_FIELDS)
    rating.level = level
    rating.comment = comment[:2000]
    rating.source = source
    rating.recorded_by = by
    rating.superseded_at = clock.now()
    rating.save(update_fields=["level", "comment", "source", "recorded_by", "superseded_at"])
    _audit_rating("rating.supersede", rating, by=by, before=before)
    rectification = Rectification.objects.select_for_update().filter(rating=rating).first()
    if rectification is None:
        if rating.dissatisfied:
            open_rectification(rating)
    elif rectification.status == Rectification.Status.CLOSED:
        if rating.dissatisfied:
            reopen_rectification(rectification, rating, by=by)
    else:
        # Still open: the PM keeps it (a satisfied re-rating still needs the call-back)
        # and learns the requester's own level.
        notify_rerated(rectification, rating)
    return rating
