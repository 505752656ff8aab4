"""Escalation policies page step by step until someone acknowledges (issue 14 item 6)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from weibao.audit.models import AuditRecord
from weibao.escalations.models import Escalation, EscalationEntry
from weibao.escalations.services import engine
from weibao.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _warn(fire, contract, ticket):
    return fire("sla.warning", contract=contract, obj=ticket,
                payload={"ticket": ticket.pk, "number": ticket.number, "priority": ticket.priority})


def _pages(user):
    return Notification.objects.filter(recipient=user, kind="escalation")


def test_sla_warning_of_a_p1_ticket_pages_the_on_call_then_the_pm(contract, policy, oncall, pm, ticket, fire, clock):
    t = ticket("p1")
    _warn(fire, contract, t)
    run = Escalation.objects.get()
    assert run.object_type == "servicedesk.ticket" and run.object_id == str(t.pk)
    assert _pages(oncall).count() == 1 and _pages(pm).count() == 0
    assert "/escalations/ack/" in _pages(oncall).get().ack_url  # every message carries the link

    clock.advance(timedelta(minutes=4))
    engine.advance_due()
    assert _pages(pm).count() == 0  # not yet: the step waits 5 minutes
    clock.advance(timedelta(minutes=1))
    engine.advance_due()
    assert _pages(pm).count() == 1

    kinds = list(run.entries.values_list("kind", "position"))
    assert kinds == [("started", None), ("notified", 0), ("notified", 1)]


def test_priorities_not_chosen_do_not_escalate(contract, policy, ticket, fire):
    _warn(fire, contract, ticket("p3"))
    assert not Escalation.objects.exists()


def test_nobody_acknowledging_repeats_then_gives_up_loudly(contract, policy, oncall, pm, ticket, fire, clock):
    _warn(fire, contract, ticket("p2"))
    for _ in range(6):
        clock.advance(timedelta(minutes=10))
        engine.advance_due()
    run = Escalation.objects.get()
    assert run.status == Escalation.Status.EXHAUSTED
    assert _pages(oncall).count() == 2  # two rounds
    assert Notification.objects.filter(recipient=pm, kind="escalation.exhausted").count() == 1
    assert run.entries.filter(kind=EscalationEntry.Kind.EXHAUSTED).count() == 1


def test_a_redispatched_event_and_a_repeated_sweep_page_nobody_twice(contract, policy, oncall, ticket, fire, clock):
    event = _warn(fire, contract, ticket("p1"))
    # The worker died after paging and before marking the event: it runs again.
    type(event).objects.filter(pk=event.pk).update(dispatched_at=None)
    from weibao.core import events

    events.dispatch(type(event).objects.get(pk=event.pk))
    engine.advance_due()
    engine.advance_due()
    assert Escalation.objects.count() == 1
    assert _pages(oncall).count() == 1


def test_a_second_warning_while_running_does_not_start_again(contract, policy, oncall, ticket, fire):
    t = ticket("p1")
    _warn(fire, contract, t)
    fire("ticket.urged", contract=contract, obj=t, payload={"ticket": t.pk, "number": t.number, "count": 1})
    assert Escalation.objects.count() == 1


def test_acknowledging_stops_paging_and_is_audited(contract, policy, oncall, pm, ticket, fire, clock):
    _warn(fire, contract, ticket("p1"))
    run = Escalation.objects.get()
    engine.acknowledge(run, oncall)
    clock.advance(timedelta(hours=1))
    engine.advance_due()
    run.refresh_from_db()
    assert run.status == Escalation.Status.ACKNOWLEDGED and run.acknowledged_by == oncall
    assert _pages(pm).count() == 0
    assert AuditRecord.objects.filter(action="escalation.acknowledged", object_id=str(run.pk)).exists()
    # Saying it again changes nothing and records nothing more.
    engine.acknowledge(run, oncall)
    assert AuditRecord.objects.filter(action="escalation.acknowledged").count() == 1


def test_resolving_the_ticket_cancels_its_escalation(contract, policy, ticket, fire):
    t = ticket("p1")
    _warn(fire, contract, t)
    fire("ticket.resolved", contract=contract, obj=t, payload={"comment": ""})
    assert Escalation.objects.get().status == Escalation.Status.CANCELLED


def test_an_incident_of_a_chosen_level_starts_and_its_acknowledgement_stops(contract, policy, oncall, pm, fire):
    from weibao.escalations.models import EscalationTrigger

    EscalationTrigger.objects.create(contract=contract, policy=policy, event_type="incident.opened",
                                     only_for="I,II")

    class Incident:  # the incidents app's event names its object by type and id only
        pk = 41
        _meta = type("M", (), {"label_lower": "incidents.incident"})

    fire("incident.opened", contract=contract, obj=Incident, payload={"level": "III", "title": "x"})
    assert not Escalation.objects.exists()
    fire("incident.opened", contract=contract, obj=Incident, payload={"level": "I", "title": "门户不可用"})
    run = Escalation.objects.get()
    assert run.object_type == "incidents.incident" and run.object_id == "41"
    assert "I级事件" in run.subject
    fire("incident.acknowledged", contract=contract, obj=Incident, payload={"user": oncall.pk})
    run.refresh_from_db()
    assert run.status == Escalation.Status.ACKNOWLEDGED and run.acknowledged_by == oncall


def test_a_step_that_finds_nobody_is_recorded_and_skipped(contract, policy, pm, ticket, fire):
    from weibao.contracts.models import Membership

    Membership.objects.filter(contract=contract, role="oncall_engineer").update(active=False)
    _warn(fire, contract, ticket("p1"))
    run = Escalation.objects.get()
    assert list(run.entries.values_list("kind", flat=True)) == ["started", "nobody", "notified"]
    assert _pages(pm).count() == 1


def test_ack_link_in_the_message_is_single_use(contract, policy, oncall, ticket, fire, client):
    _warn(fire, contract, ticket("p1"))
    path = re.search(r"(/escalations/ack/[^/\s]+/)", _pages(oncall).get().ack_url).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "由我处理" in page.content.decode()
    assert Escalation.objects.get().status == "running"  # opening (a link preview) is not acknowledging
    assert client.post(path).status_code == 200
    assert Escalation.objects.get().status == "acknowledged"
    again = client.post(path)
    assert again.status_code == 410 and "已使用" in again.content.decode()


def test_ack_link_expires(contract, policy, oncall, ticket, fire, client, clock):
    _warn(fire, contract, ticket("p1"))
    path = re.search(r"(/escalations/ack/[^/\s]+/)", _pages(oncall).get().ack_url).group(1)
    clock.advance(timedelta(hours=25))
    assert client.post(path).status_code == 410
    assert client.get("/escalations/ack/not-a-token/").status_code == 410
