"""The rectification (整改) a dissatisfied rating opens: its deadline in working days,
the project managers told, the call-back (回访) to the requester, and closing it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.audit.models import AuditRecord
from weibao.calendars.services import PeriodRule, legal_period
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.contracts.services import project_managers
from weibao.core import clock, events
from weibao.feedback.access import PORTAL_REQUESTER
from weibao.feedback.models import Level, Rating, Rectification
from weibao.notifications.services import notify


def rectification_working_days() -> int:
    return int(getattr(settings, "WEIBAO_RECTIFICATION_WORKING_DAYS", 15))


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


def open_rectification(rating: Rating) -> Rectification:
    """The rectification a dissatisfied rating opens, due in working days; the PMs are told."""
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


def reopen_rectification(rectification: Rectification, rating: Rating, *, by) -> Rectification:
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


def notify_rerated(rectification: Rectification, rating: Rating) -> None:
    """Tell the PMs of an open rectification the level the requester re-rated it with."""
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
