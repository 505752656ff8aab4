"""The assignee lists offer who does the work (issue 13, item 5): the engineers and the
PM, not the hotline agent nor the bureau; the ticket's own assignee is preselected."""

import pytest

from weibao.servicedesk.services import tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(contract, make_member, pm):
    return {
        "pm": pm,
        "engineer": make_member(contract, "resident_engineer", username="eng"),
        "agent": make_member(contract, "hotline_agent", username="agent1"),
        "liaison": make_member(contract, "bureau_liaison", username="liaison1"),
    }


def _options(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start:html.index("</select>", start)]


def test_the_ticket_page_offers_only_who_does_the_work(client_for, contract, team):
    ticket = tickets.create_ticket(
        contract, by=team["pm"], subject="打印机卡纸", description="x", type="fault", channel="phone",
        priority="p3", requester_name="张三",
    )
    html = client_for(team["pm"]).get(f"/tickets/{ticket.pk}/").content.decode()
    offered = _options(html, "assignee")
    assert f'value="{team["engineer"].pk}"' in offered and f'value="{team["pm"].pk}"' in offered
    assert f'value="{team["agent"].pk}"' not in offered and f'value="{team["liaison"].pk}"' not in offered


def test_the_new_ticket_form_offers_only_who_does_the_work(client_for, team):
    html = client_for(team["pm"]).get("/tickets/new/").content.decode()
    offered = _options(html, "assignee")
    assert f'value="{team["engineer"].pk}"' in offered
    assert f'value="{team["agent"].pk}"' not in offered
