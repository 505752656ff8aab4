from __future__ import annotations

import pytest

from weibao.core import events
from weibao.escalations.models import EscalationPolicy, EscalationStep, EscalationTrigger
from weibao.servicedesk.services import tickets


@pytest.fixture
def oncall(contract, make_member):
    return make_member(contract, "oncall_engineer", username="oncall", display_name="值班甲")


@pytest.fixture
def policy(contract, oncall, pm):
    """Page the on-call engineers, 5 minutes later the PM; two rounds."""
    policy = EscalationPolicy.objects.create(contract=contract, name="紧急工单升级", repeat=2)
    EscalationStep.objects.create(policy=policy, position=0, target_kind="role",
                                  target_ref="oncall_engineer", wait_minutes=5)
    EscalationStep.objects.create(policy=policy, position=1, target_kind="role",
                                  target_ref="project_manager", wait_minutes=10)
    EscalationTrigger.objects.create(contract=contract, policy=policy, event_type="sla.warning",
                                     only_for="P1,P2")
    EscalationTrigger.objects.create(contract=contract, policy=policy, event_type="ticket.urged")
    return policy


@pytest.fixture
def ticket(contract, desk, pm, clock):
    def make(priority="p1"):
        return tickets.create_ticket(contract, by=pm, type="fault", priority=priority,
                                     subject="统一身份认证登录失败", description="法人用户无法登录",
                                     channel="phone", requester_name="张三")

    return make


@pytest.fixture
def fire():
    """Publish an event and dispatch it at once, as the worker would after commit."""

    def publish(event_type, *, contract, payload, obj=None):
        event = events.publish(event_type, contract=contract, payload=payload, obj=obj)
        events.dispatch(event)
        return event

    return publish
