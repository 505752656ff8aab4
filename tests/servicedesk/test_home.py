"""The service desk's home panel: 督办 (urged) tickets on the project manager's and the
assignee's home queue, most urged first."""

from __future__ import annotations

import pytest


@pytest.fixture
def urged(new_ticket, pm, engineer, liaison, client_for):
    """Three open tickets: two assigned to the engineer, urged once and twice; one
    unassigned, urged once."""
    manager, bureau = client_for(pm), client_for(liaison)
    once = new_ticket(subject="督办一次的工单")
    twice = new_ticket(subject="督办两次的工单")
    nobody = new_ticket(subject="无人处理的督办工单")
    for ticket in (once, twice):
        manager.post(f"/tickets/{ticket['id']}/transition/", {"to": "assigned", "assignee": engineer.pk})
    for ticket in (once, twice, twice, nobody):
        assert bureau.post(f"/tickets/{ticket['id']}/urge/", {"comment": "请尽快处理"}).status_code == 302
    new_ticket(subject="没有督办的工单")
    return once, twice, nobody


def _urged_panel(client) -> str:
    page = client.get("/").content.decode()
    assert 'id="home-urged"' in page
    return page.split('id="home-urged"')[1].split("</section>")[0]


def test_the_project_manager_sees_every_urged_ticket_most_urged_first(urged, pm, client_for):
    panel = _urged_panel(client_for(pm))
    assert "没有督办的工单" not in panel
    assert panel.index("督办两次的工单") < panel.index("督办一次的工单")
    assert "无人处理的督办工单" in panel
    assert '<strong class="count">3</strong>' in panel


def test_the_assignee_sees_the_urged_tickets_assigned_to_them(urged, engineer, client_for):
    panel = _urged_panel(client_for(engineer))
    assert panel.index("督办两次的工单") < panel.index("督办一次的工单")
    assert "无人处理的督办工单" not in panel
    assert '<strong class="count">2</strong>' in panel


def test_the_panel_links_to_the_urged_list_in_the_same_order(urged, engineer, client_for):
    web = client_for(engineer)
    link = _urged_panel(web).split('href="')[1].split('"')[0].replace("&amp;", "&")
    listed = web.get(link).content.decode()
    assert listed.index("督办两次的工单") < listed.index("督办一次的工单")
    assert "无人处理的督办工单" not in listed and "没有督办的工单" not in listed


def test_without_urged_tickets_the_panel_says_so(new_ticket, pm, client_for):
    new_ticket()
    assert "没有被督办的工单" in _urged_panel(client_for(pm))


def test_the_bureau_home_has_no_urged_queue(urged, liaison, client_for):
    assert 'id="home-urged"' not in client_for(liaison).get("/").content.decode()
