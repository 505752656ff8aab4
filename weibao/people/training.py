"""Technical training for the bureau's staff (技术培训, clause 四.2): a plan agreed with the
bureau, sessions with their sign-in sheet and survey, and the figures the obligations
matrix and the reports read (``figures``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.people.models import TrainingAttendee, TrainingFeedback, TrainingPlan, TrainingSession
from weibao.people.services import check_scan


@transaction.atomic
def save_plan(contract, *, by, year: int, title: str, planned_sessions: int, description: str = "") -> TrainingPlan:
    require(by, contract.pk, Capability.MANAGE_TRAINING)
    if not title.strip():
        raise ValidationError({"title": _("请填写计划名称。")})
    if not 1 <= planned_sessions <= 500:
        raise ValidationError({"planned_sessions": _("计划场次应在 1 到 500 之间。")})
    plan, created = TrainingPlan.objects.get_or_create(
        contract=contract, year=year,
        defaults={"title": title.strip()[:200], "planned_sessions": planned_sessions, "description": description},
    )
    if not created:
        changed = (plan.title, plan.planned_sessions, plan.description) != (title.strip()[:200], planned_sessions, description)
        plan.title, plan.planned_sessions, plan.description = title.strip()[:200], planned_sessions, description
        if changed and plan.agreed_at:
            # A changed plan is a new plan: the bureau agrees it again.
            plan.agreed_at, plan.agreed_by = None, None
        plan.save()
    audit.record("training.plan_saved", actor=by, obj=plan, contract=contract,
                 after={"year": year, "planned_sessions": planned_sessions})
    return plan


@transaction.atomic
def agree_plan(plan: TrainingPlan, *, by) -> TrainingPlan:
    require(by, plan.contract_id, Capability.AGREE_TRAINING_PLAN)
    if plan.agreed_at is None:
        plan.agreed_at, plan.agreed_by = clock.now(), by
        plan.save(update_fields=["agreed_at", "agreed_by"])
        audit.record("training.plan_agreed", actor=by, obj=plan, contract=plan.contract)
    return plan


@transaction.atomic
def save_session(plan: TrainingPlan, *, by, topic: str, starts_at: dt.datetime, ends_at: dt.datetime,
                 place: str, trainer: str, materials: str = "", session: TrainingSession | None = None) -> TrainingSession:
    require(by, plan.contract_id, Capability.MANAGE_TRAINING)
    errors = {}
    if not topic.strip():
        errors["topic"] = _("请填写培训主题。")
    if not place.strip():
        errors["place"] = _("请填写培训地点。")
    if not trainer.strip():
        errors["trainer"] = _("请填写讲师。")
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间应晚于开始时间。")
    if errors:
        raise ValidationError(errors)
    session = session or TrainingSession(contract_id=plan.contract_id, plan=plan)
    session.topic, session.starts_at, session.ends_at = topic.strip()[:200], starts_at, ends_at
    session.place, session.trainer, session.materials = place.strip()[:200], trainer.strip()[:100], materials
    session.save()
    audit.record("training.session_saved", actor=by, obj=session, contract=plan.contract,
                 after={"topic": session.topic, "starts_at": starts_at.isoformat()})
    return session


def add_attendee(session: TrainingSession, *, by, name: str, organisation: str = "") -> TrainingAttendee:
    require(by, session.contract_id, Capability.MANAGE_TRAINING)
    if not name.strip():
        raise ValidationError({"name": _("请填写参训人员姓名。")})
    if session.attendees.count() >= 300:
        raise ValidationError({"name": _("每场最多 300 名参训人员。")})
    return TrainingAttendee.objects.create(
        contract_id=session.contract_id, session=session, name=name.strip()[:50], organisation=organisation.strip()[:200]
    )


@transaction.atomic
def record_held(session: TrainingSession, *, by, attended_ids, signed_sheet=None) -> TrainingSession:
    """The session took place: who signed the sheet, and its signed copy (required)."""
    require(by, session.contract_id, Capability.MANAGE_TRAINING)
    if session.status == TrainingSession.Status.CANCELLED:
        raise ValidationError({"status": _("已取消的培训不能登记为已举办。")})
    if session.starts_at > clock.now():
        raise ValidationError({"status": _("培训尚未开始，不能登记为已举办。")})
    if not signed_sheet and not session.signed_sheet:
        raise ValidationError({"signed_sheet": _("请上传签字后的签到表。")})
    check_scan(signed_sheet, "signed_sheet")
    attended = {int(pk) for pk in attended_ids}
    session.attendees.update(attended=False)
    session.attendees.filter(pk__in=attended).update(attended=True)
    if signed_sheet:
        session.signed_sheet.save("sheet", signed_sheet, save=False)
        audit.record("training.sheet_uploaded", actor=by, obj=session, contract=session.contract)
    session.status = TrainingSession.Status.HELD
    session.save()
    audit.record("training.session_held", actor=by, obj=session, contract=session.contract,
                 after={"attended": len(attended)})
    return session


def give_feedback(session: TrainingSession, *, by, satisfaction: int, useful: bool = True, comment: str = "") -> TrainingFeedback:
    require(by, session.contract_id, Capability.GIVE_TRAINING_FEEDBACK)
    if session.status != TrainingSession.Status.HELD:
        raise ValidationError({"satisfaction": _("培训举办后才能填写反馈。")})
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("满意度应为 1 到 5。")})
    if by is not None and session.feedback.filter(by=by).exists():
        raise ValidationError({"satisfaction": _("您已填写过本场培训的反馈。")})
    return TrainingFeedback.objects.create(
        contract_id=session.contract_id, session=session, satisfaction=satisfaction, useful=useful,
        comment=comment.strip()[:1000], by=by,
    )


@dataclass(frozen=True)
class TrainingFigures:
    planned: int
    held: int
    invited: int
    attended: int
    attendance_rate: Decimal | None  # attended / invited of the held sessions, 0–1
    satisfaction: Decimal | None  # mean of 1–5, two decimals
    responses: int
    plan_agreed: bool


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def figures(contract, year: int) -> TrainingFigures:
    """Held vs planned, attendance and satisfaction for ``contract``'s ``year``: what the
    obligations matrix and the reports call (no access check: callers scope the contract)."""
    plan = TrainingPlan.objects.filter(contract=contract, year=year).first()
    held = TrainingSession.objects.filter(
        contract=contract, plan=plan, status=TrainingSession.Status.HELD
    ) if plan else TrainingSession.objects.none()
    people = TrainingAttendee.objects.filter(session__in=held).aggregate(
        invited=Count("pk"), attended=Count("pk", filter=Q(attended=True))
    )
    answers = TrainingFeedback.objects.filter(session__in=held).aggregate(mean=Avg("satisfaction"), n=Count("pk"))
    mean = answers["mean"]
    return TrainingFigures(
        planned=plan.planned_sessions if plan else 0,
        held=held.count(),
        invited=people["invited"] or 0,
        attended=people["attended"] or 0,
        attendance_rate=_ratio(people["attended"] or 0, people["invited"] or 0),
        satisfaction=Decimal(str(mean)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if mean is not None else None,
        responses=answers["n"] or 0,
        plan_agreed=bool(plan and plan.agreed_at),
    )
