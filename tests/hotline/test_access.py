"""The hotline services refuse by themselves: only the vendor's team logs calls and looks
callers up, whoever calls the service (the screen, a task, a later app)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from weibao.audit.models import AuditRecord
from weibao.hotline import services
from weibao.servicedesk.models import Ticket


def _call(**overrides) -> services.Call:
    fields = {"phone": "13912345678", "name": "张三", "organisation": "", "question": "忘记密码怎么办",
              "answer": "", "started_at": None}
    fields.update(overrides)
    return services.Call(**fields)


@pytest.mark.parametrize("role", ["bureau_liaison", "bureau_viewer", "auditor"])
def test_only_the_vendors_team_logs_a_call(contract, desk, make_member, role):
    somebody = make_member(contract, role, username="somebody")
    with pytest.raises(PermissionDenied):
        services.log_call(contract, _call(), services.FOLLOW_UP, agent=somebody)
    assert not Ticket.objects.exists()


def test_a_member_of_another_contract_cannot_log_a_call_here(contract, desk, outsider):
    with pytest.raises(PermissionDenied):
        services.log_call(contract, _call(answer="重置即可"), services.ANSWERED, agent=outsider)
    assert not Ticket.objects.exists()


def test_only_the_vendors_team_looks_a_caller_up(contract, desk, make_member):
    liaison = make_member(contract, "bureau_liaison", username="liaison")
    agent = make_member(contract, "hotline_agent", username="agent")
    services.log_call(contract, _call(), services.FOLLOW_UP, agent=agent)
    with pytest.raises(PermissionDenied):
        services.caller_history(contract, "13912345678", by=liaison)
    assert [t.requester_phone for t in services.caller_history(contract, "13912345678", by=agent)] == ["13912345678"]
    assert AuditRecord.objects.filter(action="hotline.caller_history").count() == 1


def test_a_call_answered_on_the_line_is_closed_on_first_contact_in_one_call(contract, desk, make_member, clock):
    agent = make_member(contract, "hotline_agent", username="agent")
    ticket = services.log_call(contract, _call(answer="登录页点忘记密码"), services.ANSWERED, agent=agent)
    assert (ticket.status, ticket.first_contact_resolved, ticket.assignee) == ("closed", True, agent)
    assert ticket.call_started_at == ticket.call_ended_at == clock.now()
    assert [e.kind for e in ticket.entries.order_by("created_at", "pk")].count("reply") == 1
