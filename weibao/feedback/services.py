"""Rating a finished ticket, the rectification a dissatisfied rating opens, and the
satisfaction figures the reports use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.audit.models import AuditRecord
from weibao.calendars.services import PeriodRule, legal_period
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.contracts.services import project_managers
from weibao.core import clock, events
from weibao.core.params import BadParameter, parse_date
from weibao.feedback.access import Rater, rater_for
from weibao.feedback.models import Level, Rating, Rectification
from weibao.notifications.services import notify
from weibao.servicedesk.models import Status, Ticket

RATEABLE = (Status.RESOLVED, Status.CLOSED)


def rectification_working_days() -> int:
    return int(getattr(settings, "WEIBAO_RECTIFICATION_WORKING_DAYS", 15))


#: The audit trail's name for the requester rating on the public portal (no account).
PORTAL_REQUESTER = "portal requester"
RATING_FIELDS = ["level", "comment", "source", "recorded_by", "superseded_at"]


def may_rate(user, ticket: Ticket, *, on_portal: bool = False) -> bool:
    """Whether ``user`` (None: the requester on the portal) may rate ``ticket`` now: once
    per side, and the requester's own rating may replace a vendor-recorded one."""
    return _may_rate(rater_for(user, ticket, on_portal=on_portal), ticket)


def _may_rate(rater: Rater, ticket: Ticket) -> bool:
    if ticket.status not in RATEABLE or not rater.may_rate:
        return False
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
        _open_rectification(rating)
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
            _open_rectification(rating)
    elif rectification.status == Rectification.Status.CLOSED:
        if rating.dissatisfied:
            _reopen_rectification(rectification, rating, by=by)
    else:
        # Still open: the PM keeps it (a satisfied re-rating still needs the call-back)
        # and learns the requester's own level.
        _notify_rerated(rectification, rating)
    return rating


def _due_on(contract_id: int) -> dt.date:
    """The rectification deadline: ``rectification_working_days()`` working days from today."""
    today = clock.local_now().date()
    return legal_period(contract_id, today, rectification_working_days(), PeriodRule.WORKING_DAYS).value


def _notify_managers(rectification: Rectification, *, subject: str, kind: str, dedup_key: str) -> None:

    notify(
        project_managers(rectification.contract_id),
        subject=subject,
        body=rectification.rating.comment,
        contract=rectification.ticket.contract,
        link=reverse("feedback:detail", args=[rectification.pk]),
        kind=kind,
        dedup_key=dedup_key,
    )


def _open_rectification(rating: Rating) -> Rectification:
    due = _due_on(rating.contract_id)
    rectification = Rectification.objects.create(
        contract_id=rating.contract_id, rating=rating, ticket=rating.ticket, due_on=due,
        opened_level=rating.level,
    )
    ticket = rating.ticket
    _notify_managers(
        rectification,
        subject=f"【差评】{ticket.number} {Level(rating.level).label}，请于 {due:%Y-%m-%d} 前整改并回访",
        kind="rating.dissatisfied",
        dedup_key=f"rectification:{rectification.pk}",
    )
    events.publish(
        "rating.dissatisfied", contract=ticket.contract, obj=rectification,
        payload={"ticket": ticket.pk, "number": ticket.number, "level": rating.level,
                 "due_on": due.isoformat()},
    )
    return rectification


#: What reopening a closed rectification clears, kept in the audit record's ``before``.
REOPEN_FIELDS = ["status", "due_on", "opened_level", "plan", "callback_at", "callback_by",
                 "callback_notes", "callback_outcome", "closed_at"]


def _reopen_rectification(rectification: Rectification, rating: Rating, *, by) -> Rectification:
    """The requester's own dissatisfied rating after the rectification the relayed rating
    opened was closed: it opens again, with a new deadline, and needs a new call-back (the
    earlier one stays in the audit record's ``before``)."""
    before = audit.snapshot(rectification, REOPEN_FIELDS)
    rectification.status = Rectification.Status.OPEN
    rectification.due_on = _due_on(rating.contract_id)
    rectification.opened_level = rating.level
    rectification.closed_at = None
    rectification.callback_at = None
    rectification.callback_by = None
    rectification.callback_notes = ""
    rectification.callback_outcome = ""
    rectification.save()
    audit.record(
        "rectification.reopen", obj=rectification, actor=by, actor_username=PORTAL_REQUESTER,
        before=before, after=audit.snapshot(rectification, REOPEN_FIELDS),
        detail={"ticket": rating.ticket.number, "level": rating.level, "source": rating.source},
    )
    _notify_managers(
        rectification,
        subject=_("【差评重开】%(number)s 请求方本人评价为%(level)s，已办结的整改重新打开，"
                  "请于 %(due)s 前整改并回访") % {
            "number": rating.ticket.number, "level": Level(rating.level).label,
            "due": f"{rectification.due_on:%Y-%m-%d}"},
        kind="rectification.reopened",
        dedup_key=f"rectification:{rectification.pk}:reopen",
    )
    return rectification


def _notify_rerated(rectification: Rectification, rating: Rating) -> None:
    values = {"number": rating.ticket.number, "level": Level(rating.level).label,
              "due": f"{rectification.due_on:%Y-%m-%d}"}
    if rating.dissatisfied:
        subject = _("【差评】%(number)s 请求方本人重新评价为%(level)s，请于 %(due)s 前整改并回访") % values
    else:
        subject = _("【改评】%(number)s 请求方本人改评为%(level)s，整改仍须回访后办结") % values
    _notify_managers(
        rectification, subject=subject, kind="rating.rerated",
        dedup_key=f"rectification:{rectification.pk}:rerated",
    )


def earlier_callbacks(rectification: Rectification) -> list[dict]:
    """The call-backs a reopening cleared, oldest first, from the audit trail."""
    from django.contrib.auth import get_user_model

    records = AuditRecord.objects.filter(
        action="rectification.reopen", object_type=rectification._meta.label_lower,
        object_id=str(rectification.pk),
    ).order_by("at", "id")
    earlier = [r.before for r in records if r.before and r.before.get("callback_at")]
    users = get_user_model().objects.in_bulk({e["callback_by_id"] for e in earlier if e.get("callback_by_id")})
    outcomes = dict(Rectification.Outcome.choices)
    return [{
        "at": dt.datetime.fromisoformat(e["callback_at"]),
        "by": users.get(e.get("callback_by_id")),
        "outcome": outcomes.get(e.get("callback_outcome"), ""),
        "notes": e.get("callback_notes", ""),
        "opened_level": Level(e["opened_level"]).label if e.get("opened_level") in Level.values else "",
        "closed_at": dt.datetime.fromisoformat(e["closed_at"]) if e.get("closed_at") else None,
    } for e in earlier]


def record_callback(rectification: Rectification, *, by, notes: str, outcome: str,
                    at: dt.datetime | None = None, plan: str = "") -> Rectification:
    """The call-back (回访) to the requester that a rectification needs before it closes;
    refused once the rectification is closed (the record it was closed on stands)."""
    require(by, rectification.contract_id, Capability.MANAGE_RECTIFICATIONS)
    if rectification.status == Rectification.Status.CLOSED:
        raise ValidationError({"status": _("该整改已办结，不能再记录回访。")})
    if not notes.strip():
        raise ValidationError({"callback_notes": _("请填写回访记录。")})
    if outcome not in Rectification.Outcome.values:
        raise ValidationError({"callback_outcome": _("请选择回访结果。")})
    at = at or clock.now()
    if at > clock.now():
        raise ValidationError({"callback_at": _("回访时间不能晚于现在。")})
    before = audit.snapshot(rectification, ["callback_at", "callback_notes", "callback_outcome", "plan"])
    rectification.callback_at = at
    rectification.callback_by = by
    rectification.callback_notes = notes[:5000]
    rectification.callback_outcome = outcome
    if plan:
        rectification.plan = plan[:5000]
    rectification.save()
    audit.record("rectification.callback", obj=rectification, actor=by, before=before,
                 after=audit.snapshot(rectification, ["callback_at", "callback_notes", "callback_outcome", "plan"]))
    return rectification


def close(rectification: Rectification, *, by) -> Rectification:
    """Close a rectification once its call-back is recorded and its measures written."""
    require(by, rectification.contract_id, Capability.MANAGE_RECTIFICATIONS)
    if rectification.status == Rectification.Status.CLOSED:
        raise ValidationError({"status": _("该整改已办结。")})
    if rectification.callback_at is None:
        raise ValidationError({"callback_at": _("须先记录对请求人的回访，才能办结整改。")})
    if not rectification.plan.strip():
        raise ValidationError({"plan": _("请填写整改措施。")})
    rectification.status = Rectification.Status.CLOSED
    rectification.closed_at = clock.now()
    rectification.save(update_fields=["status", "closed_at"])
    audit.record("rectification.close", obj=rectification, actor=by)
    return rectification


# -- figures for the reports (roadmap item 9) ---------------------------------------------


#: The longest period one figures request covers (a leap year).
MAX_PERIOD_DAYS = 366


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _parse_day(name: str, raw: str | None) -> dt.date:
    try:
        day = parse_date(raw, name)
    except BadParameter as error:
        raise ValidationError({name: error.message}) from None
    if day is None:
        raise ValidationError({name: _("请填写日期（YYYY-MM-DD）。")})
    return day


def parse_period(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """A figures period from two YYYY-MM-DD dates (Asia/Shanghai days, both included):
    end not before start, at most ``MAX_PERIOD_DAYS`` days. Errors name the field."""
    errors = {}
    days = {}
    for name, raw in (("start", start), ("end", end)):
        try:
            days[name] = _parse_day(name, raw)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if days["end"] < days["start"]:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if (days["end"] - days["start"]).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"end": _("统计区间最长 %(days)s 天。") % {"days": MAX_PERIOD_DAYS}})
    return days["start"], days["end"]


@dataclass(frozen=True)
class QuickPeriod:
    key: str
    label: str
    start: dt.date
    end: dt.date


def quick_periods(today: dt.date) -> list[QuickPeriod]:
    """This month, last month, this quarter, this year: whole calendar periods."""
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    last_month_end = month_start - dt.timedelta(days=1)
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_next = (quarter_start + dt.timedelta(days=95)).replace(day=1)
    return [
        QuickPeriod("month", _("本月"), month_start, next_month - dt.timedelta(days=1)),
        QuickPeriod("last_month", _("上月"), last_month_end.replace(day=1), last_month_end),
        QuickPeriod("quarter", _("本季度"), quarter_start, quarter_next - dt.timedelta(days=1)),
        QuickPeriod("year", _("本年"), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
    ]


@dataclass
class SatisfactionFigures:
    start: dt.date
    end: dt.date
    ratings: int = 0
    per_level: dict[int, int] = field(default_factory=dict)
    relayed_by_phone: int = 0
    satisfaction_rate: Decimal | None = None
    consultations: int = 0
    first_contact_resolved: int = 0
    first_contact_rate: Decimal | None = None
    average_talk_seconds: int | None = None
    rectifications_open: int = 0
    rectifications_overdue: int = 0


def satisfaction_figures(contract, start: dt.date, end: dt.date) -> SatisfactionFigures:
    """Per contract and period [start, end] (Asia/Shanghai dates): ratings per level (of
    them, how many the vendor recorded on a call-back), the satisfaction rate (非常满意 +
    满意 + 基本满意 over all ratings), first-contact resolution of phone consultations
    and their average talk time; rectifications still open, and overdue, at the end of
    the period (today, for a period not over yet)."""
    begin = dt.datetime.combine(start, dt.time(), tzinfo=clock.SHANGHAI)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    figures = SatisfactionFigures(start, end)
    ratings = Rating.objects.filter(contract=contract, created_at__gte=begin, created_at__lt=finish)
    counts = dict(ratings.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    figures.per_level = {level: counts.get(level, 0) for level in sorted(Level.values, reverse=True)}
    figures.ratings = sum(figures.per_level.values())
    figures.relayed_by_phone = ratings.filter(source=Rating.Source.PHONE).count()
    satisfied = sum(n for level, n in figures.per_level.items() if level >= Level.BASICALLY_SATISFIED)
    figures.satisfaction_rate = _percent(satisfied, figures.ratings)
    calls = Ticket.objects.filter(
        contract=contract, channel="phone", type="consultation",
        created_at__gte=begin, created_at__lt=finish,
    )
    call_figures = calls.aggregate(
        total=Count("id"),
        fcr=Count("id", filter=Q(first_contact_resolved=True)),
        talk=Avg(F("call_ended_at") - F("call_started_at"), filter=Q(call_ended_at__isnull=False)),
    )
    figures.consultations = call_figures["total"]
    figures.first_contact_resolved = call_figures["fcr"]
    figures.first_contact_rate = _percent(call_figures["fcr"], call_figures["total"])
    talk = call_figures["talk"]
    figures.average_talk_seconds = int(talk.total_seconds()) if talk is not None else None
    rectifications = Rectification.objects.filter(contract=contract)
    if finish <= clock.now():  # a past period: the ones open when it ended
        open_items = rectifications.filter(created_at__lt=finish).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=finish)
        )
    else:
        open_items = rectifications.filter(status=Rectification.Status.OPEN)
    figures.rectifications_open = open_items.count()
    figures.rectifications_overdue = open_items.filter(
        due_on__lt=min(end, clock.local_now().date())
    ).count()
    return figures
