"""The ticket page loads its ticket by a statement compiled once (servicedesk.access,
decision 0034), and sees exactly what the scoped query sees: another contract's ticket, a
missing one and an id beyond any id get the same 404, the auditor (who does not see
tickets) no ticket, and a ticket seen shows its names."""

from __future__ import annotations

import re

import pytest

from weibao.testing.factories import TicketFactory, member_of


def _page(response, pk) -> str:
    """The page without what differs between any two requests (the masked CSRF token) and
    the id asked for."""
    text = re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", response.content.decode())
    return text.replace(f"/tickets/{pk}/", "/tickets/<id>/")


@pytest.fixture
def theirs(other_contract, outsider):
    return TicketFactory(contract=other_contract, by=outsider, subject="另一合同的工单主题")


def test_another_contracts_ticket_is_answered_as_a_missing_one(desk, contract, pm, theirs, client_for):
    web = client_for(pm)
    foreign = web.get(f"/tickets/{theirs.pk}/")
    missing = web.get("/tickets/987654/")
    beyond = web.get(f"/tickets/{2**70}/")
    assert foreign.status_code == missing.status_code == beyond.status_code == 404
    assert _page(foreign, theirs.pk) == _page(missing, 987654)
    assert "另一合同的工单主题" not in foreign.content.decode()


def test_a_member_without_the_view_capability_gets_no_ticket(desk, contract, pm, client_for):
    ticket = TicketFactory(contract=contract, by=pm)
    auditor = member_of(contract, "auditor")
    assert client_for(auditor).get(f"/tickets/{ticket.pk}/").status_code == 404


def test_the_ticket_page_shows_its_group_component_and_assignee(desk, contract, pm, engineer, client_for):
    from weibao.servicedesk.models import ServiceComponent, SupportGroup

    group = SupportGroup.objects.filter(contract=contract).first()
    component = ServiceComponent.objects.filter(contract=contract).first()
    ticket = TicketFactory(contract=contract, by=pm, group=group, component=component, assignee=engineer)
    page = client_for(pm).get(f"/tickets/{ticket.pk}/").content.decode()
    assert group.name in page and component.name in page and str(engineer) in page
    assert contract.number in page


def test_an_administrators_membership_row_opens_no_ticket(desk, contract, pm):
    """三员分立: a membership row written around the services gives an administrator
    nothing, in the statement's subquery as in the request's memberships."""
    from weibao.accounts.models import AdminRoleGrant
    from weibao.contracts.models import Membership
    from weibao.contracts.roles import Capability, roles_with
    from weibao.contracts.scoping import member_contracts_query
    from weibao.testing.factories import UserFactory

    ticket = TicketFactory(contract=contract, by=pm)
    secadmin = UserFactory(username="secadmin")
    AdminRoleGrant.objects.create(user=secadmin, role="security_admin")
    Membership.objects.create(contract=contract, user=secadmin, role="project_manager")
    roles = roles_with(Capability.VIEW_TICKETS)
    assert list(member_contracts_query(secadmin.pk, roles)) == []
    assert [row["contract_id"] for row in member_contracts_query(pm.pk, roles)] == [contract.pk]
    Membership.objects.filter(user=pm).update(active=False)
    assert list(member_contracts_query(pm.pk, roles)) == []
    assert ticket.pk
