"""Rating a finished ticket, the rectification a dissatisfied rating opens, and the
satisfaction figures the reports use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.calendars.services import PeriodRule, legal_period
from weibao.core import clock, events
from weibao.feedback.models import DISSATISFIED_LEVELS, Level, Rating, Rectification
from weibao.servicedesk.models import Status, Ticket

RATEABLE = (Status.RESOLVED, Status.CLOSED)


def rectification_working_days() -> int:
    return int(getattr(settings, "WEIBAO_RECTIFICATION_WORKING_DAYS", 15))


def rate(ticket: Ticket, level: int, comment: str = "", *, by=None, source: str) -> Rating:
    """Once per ticket, only when resolved or closed. A level of 不满意 or 非常不满意
    opens a rectification for the project manager."""
    if level not in Level.values:
        raise ValidationError({"level": _("评价等级应为 1–5（5 = 非常满意）。")})
    if ticket.status not in RATEABLE:
        raise ValidationError({"level": _("工单解决或关闭后才能评价。")})
    if Rating.objects.filter(ticket=ticket).exists():
        raise ValidationError({"level": _("该工单已评价，不能重复评价。")})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                contract_id=ticket.contract_id, ticket=ticket, level=level,
                comment=comment[:2000], source=source, recorded_by=by,
            )
            if level in DISSATISFIED_LEVELS:
                _open_rectification(rating)
    except IntegrityError:
        raise ValidationError({"level": _("该工单已评价，不能重复评价。")}) from None
    return rating


def _open_rectification(rating: Rating) -> Rectification:
    from weibao.contracts.services import project_managers
    from weibao.notifications.services import notify

    today = clock.local_now().date()
    due = legal_period(
        rating.contract_id, today, rectification_working_days(), PeriodRule.WORKING_DAYS
    ).value
    rectification = Rectification.objects.create(
        contract_id=rating.contract_id, rating=rating, ticket=rating.ticket, due_on=due
    )
    managers = project_managers(rating.contract_id)
    ticket = rating.ticket
    notify(
        managers,
        subject=f"【差评】{ticket.number} {Level(rating.level).label}，请于 {due:%Y-%m-%d} 前整改并回访",
        body=rating.comment,
        contract=ticket.contract,
        link=reverse("feedback:detail", args=[rectification.pk]),
        kind="rating.dissatisfied",
        dedup_key=f"rectification:{rectification.pk}",
    )
    events.publish(
        "rating.dissatisfied", contract=ticket.contract, obj=rectification,
        payload={"ticket": ticket.pk, "number": ticket.number, "level": rating.level,
                 "due_on": due.isoformat()},
    )
    return rectification


def record_callback(rectification: Rectification, *, by, notes: str, outcome: str,
                    at: dt.datetime | None = None, plan: str = "") -> Rectification:
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


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class SatisfactionFigures:
    start: dt.date
    end: dt.date
    ratings: int = 0
    per_level: dict[int, int] = field(default_factory=dict)
    satisfaction_rate: Decimal | None = None
    consultations: int = 0
    first_contact_resolved: int = 0
    first_contact_rate: Decimal | None = None
    average_talk_seconds: int | None = None
    rectifications_open: int = 0
    rectifications_overdue: int = 0


def satisfaction_figures(contract, start: dt.date, end: dt.date) -> SatisfactionFigures:
    """Per contract and period [start, end] (Asia/Shanghai dates): ratings per level, the
    satisfaction rate (非常满意+满意+基本满意 over all ratings), first-contact resolution
    of phone consultations and their average talk time."""
    begin = dt.datetime.combine(start, dt.time(), tzinfo=clock.SHANGHAI)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
    figures = SatisfactionFigures(start, end)
    ratings = Rating.objects.filter(contract=contract, created_at__gte=begin, created_at__lt=finish)
    counts = dict(ratings.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    figures.per_level = {level: counts.get(level, 0) for level in sorted(Level.values, reverse=True)}
    figures.ratings = sum(figures.per_level.values())
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
    open_items = Rectification.objects.filter(contract=contract, status=Rectification.Status.OPEN)
    figures.rectifications_open = open_items.count()
    figures.rectifications_overdue = open_items.filter(due_on__lt=clock.local_now().date()).count()
    return figures
