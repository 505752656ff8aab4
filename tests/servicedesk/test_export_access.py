"""Exports follow EXPORT_TICKETS from the capability table, not the list's right to read:
changing the table is the one change that changes who exports (issue 12)."""

from __future__ import annotations

import pytest

from weibao.contracts.roles import CAPABILITIES, Capability, ContractRole
from weibao.testing.factories import MembershipFactory


@pytest.fixture
def only_the_pm_exports(monkeypatch):
    monkeypatch.setitem(CAPABILITIES, Capability.EXPORT_TICKETS, frozenset({ContractRole.PROJECT_MANAGER}))


def test_who_may_not_export_is_refused_though_they_read_the_list(only_the_pm_exports, new_ticket, liaison, client_for):
    new_ticket()
    web = client_for(liaison)
    assert web.get("/tickets/").status_code == 200
    response = web.get("/tickets/", {"export": "csv"})
    assert response.status_code == 403
    assert "您没有导出工单的权限" in response.content.decode()


def test_an_export_holds_only_the_contracts_where_one_may_export(
    only_the_pm_exports, new_ticket, contract, other_contract, make_member, client_for
):
    new_ticket(subject="本合同的工单")
    # The PM of another contract who only reads this one's tickets.
    person = make_member(other_contract, "project_manager", username="both")
    MembershipFactory(contract=contract, user=person, role=ContractRole.BUREAU_LIAISON)
    response = client_for(person).get("/tickets/", {"export": "csv", "contract": contract.pk})
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert response.status_code == 200
    assert "本合同的工单" not in body
