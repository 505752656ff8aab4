"""Running escalation policies: start a run for an item, page each step's people, wait for
an acknowledgement, go on to the next step, repeat, give up loudly.

Every state change happens in one transaction with the row locked, and every page carries
a dedup key of (run, round, step, person): a worker killed after paging and before saving
re-runs the step and ``notify`` sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao.audit import record
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.contracts.services import project_managers
from weibao.core import clock, events
from weibao.escalations import targets
from weibao.escalations.models import Escalation, EscalationEntry, EscalationPolicy
from weibao.escalations.services import ack_links
from weibao.notifications.services import cancel_pending, notify

log = logging.getLogger(__name__)
# Steps that find nobody are skipped at once; a policy of only such steps must still end.
MAX_STEPS_PER_TURN = 50


def start(
    policy: EscalationPolicy,
    *,
    object_type: str,
    object_id,
    subject: str,
    link: str = "",
    reason: str = "",
    source_event: int | None = None,
) -> Escalation | None:
    """Start ``policy`` for an item and page its first step. None if the policy already
    runs for this item (a second SLA warning does not page everyone again) or this event
    already started it (a re-dispatched event)."""
    object_id = str(object_id)
    running = Escalation.objects.running().filter(
        policy=policy, object_type=object_type, object_id=object_id
    )
    if running.exists():
        return None
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                contract_id=policy.contract_id, policy=policy, object_type=object_type,
                object_id=object_id, subject=subject[:300], link=link[:500], reason=reason,
                source_event=source_event, next_step_at=clock.now(),
            )
    except IntegrityError:
        return None
    _entry(escalation, EscalationEntry.Kind.STARTED, detail=policy.name)
    advance(escalation)
    return escalation


def advance(escalation: Escalation, now=None) -> Escalation:
    """Page every step that is due, with the run locked (two workers never both page it)."""
    now = now or clock.now()
    with transaction.atomic():
        run = Escalation.objects.select_for_update().filter(pk=escalation.pk).first()
        if run is None:
            return escalation
        steps = list(run.policy.steps.order_by("position"))
        turns = 0
        while (run.status == Escalation.Status.RUNNING and run.next_step_at is not None
               and run.next_step_at <= now and turns < MAX_STEPS_PER_TURN):
            turns += 1
            if run.next_position >= len(steps):
                if run.round < run.policy.repeat and steps:
                    run.round += 1
                    run.next_position = 0
                    continue
                _exhaust(run, now)
                break
            step = steps[run.next_position]
            waited = _page(run, step, now)
            run.next_position += 1
            run.next_step_at = now + timedelta(minutes=step.wait_minutes) if waited else now
        if turns >= MAX_STEPS_PER_TURN and run.status == Escalation.Status.RUNNING:
            # Every step found nobody in every round: nobody can be paged at all.
            _exhaust(run, now)
        run.save(update_fields=["round", "next_position", "next_step_at", "status", "ended_at"])
    return run


def advance_due(now=None, limit: int = 500) -> int:
    """The periodic sweep: advance every run whose next step is due."""
    now = now or clock.now()
    due = list(Escalation.objects.running().filter(next_step_at__lte=now)
               .order_by("next_step_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        try:
            advance(Escalation(pk=pk), now)
        except Exception:  # noqa: BLE001 - one broken run must not stop the others
            log.exception("escalation %s could not advance; the next sweep retries", pk)
    return len(due)


def _page(run: Escalation, step, now) -> bool:
    """Notify the step's people; False if it found nobody (the run goes straight on)."""
    people = targets.resolve(run.contract, step.target_kind, step.target_ref, now)
    target = targets.describe(run.contract, step.target_kind, step.target_ref)
    if not people:
        _entry(run, EscalationEntry.Kind.NOBODY, position=step.position, detail=target)
        return False
    for person in people:
        notify(
            person,
            subject=_("【升级通知】%(subject)s") % {"subject": run.subject},
            body=_("第 %(round)s 轮第 %(step)s 步：请尽快处理并确认。") % {
                "round": run.round, "step": step.position + 1},
            contract=run.contract, link=run.link, kind="escalation",
            dedup_key=f"escalation:{run.pk}:{run.round}:{step.position}:{person.pk}",
            urgency=step.urgency, ack_url=ack_links.issue(run, person), on_duty=True,
            channel_ids=[step.channel_id] if step.channel_id else None,
        )
    names = "、".join(p.display_name or p.username for p in people)
    _entry(run, EscalationEntry.Kind.NOTIFIED, position=step.position, recipients=names,
           detail=target)
    events.publish("escalation.step", contract=run.contract, obj=run, payload={
        "object_type": run.object_type, "object_id": run.object_id, "round": run.round,
        "step": step.position, "recipients": [p.pk for p in people], "target": target,
    })
    return True


def _exhaust(run: Escalation, now) -> None:
    run.status = Escalation.Status.EXHAUSTED
    run.ended_at = now
    run.next_step_at = None
    _entry(run, EscalationEntry.Kind.EXHAUSTED)
    notify(
        project_managers(run.contract_id),
        subject=_("【无人确认】%(subject)s") % {"subject": run.subject},
        body=_("升级策略“%(policy)s”的全部步骤都没有人确认，请立即人工处理。") % {
            "policy": run.policy.name},
        contract=run.contract, link=run.link, kind="escalation.exhausted",
        dedup_key=f"escalation:{run.pk}:exhausted", urgency="critical", on_duty=True,
    )
    events.publish("escalation.exhausted", contract=run.contract, obj=run, payload={
        "object_type": run.object_type, "object_id": run.object_id})


def acknowledge(escalation: Escalation, by, *, via: str = "web") -> Escalation:
    """``by`` takes the item: this run and every other run for the same item stop. Saying
    it twice changes nothing. Refused to anyone who may not acknowledge on the contract."""
    require(by, escalation.contract_id, Capability.ACKNOWLEDGE_ESCALATIONS)
    stopped = _stop_item(escalation.object_type, escalation.object_id, escalation.contract_id,
                         EscalationEntry.Kind.ACKNOWLEDGED, by=by, via=via)
    escalation.refresh_from_db()
    if stopped:
        record("escalation.acknowledged", obj=escalation, actor=by, contract=escalation.contract,
               detail={"via": via, "runs": stopped, "item": f"{escalation.object_type}:{escalation.object_id}"})
        events.publish("escalation.acknowledged", contract=escalation.contract, obj=escalation, payload={
            "object_type": escalation.object_type, "object_id": escalation.object_id,
            "user": getattr(by, "pk", None)})
    return escalation


def stop_for_item(object_type: str, object_id, contract_id: int, *, acknowledged_by=None,
                  reason: str = "") -> list[int]:
    """The item was acknowledged or resolved in its own app: its runs stop paging."""
    kind = EscalationEntry.Kind.ACKNOWLEDGED if acknowledged_by else EscalationEntry.Kind.CANCELLED
    return _stop_item(object_type, str(object_id), contract_id, kind, by=acknowledged_by, via=reason)


def _stop_item(object_type, object_id, contract_id, kind, *, by=None, via="") -> list[int]:
    now = clock.now()
    stopped = []
    with transaction.atomic():
        runs = Escalation.objects.select_for_update().running().filter(
            contract_id=contract_id, object_type=object_type, object_id=str(object_id))
        for run in runs:
            if kind == EscalationEntry.Kind.ACKNOWLEDGED:
                run.status = Escalation.Status.ACKNOWLEDGED
                run.acknowledged_by = by
            else:
                run.status = Escalation.Status.CANCELLED
            run.ended_at = now
            run.next_step_at = None
            run.save(update_fields=["status", "acknowledged_by", "ended_at", "next_step_at"])
            who = (by.display_name or by.username) if by is not None else ""
            _entry(run, kind, recipients=who, detail=via)
            stopped.append(run.pk)
    for pk in stopped:
        # Delayed pages (a voice call five minutes after the SMS) are no longer wanted.
        cancel_pending(f"escalation:{pk}:")
    return stopped


def _entry(run: Escalation, kind: str, *, position=None, recipients: str = "", detail: str = ""):
    return EscalationEntry.objects.create(
        escalation=run, kind=kind, round=run.round, position=position,
        recipients=recipients[:500], detail=str(detail)[:500],
    )
