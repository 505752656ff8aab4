"""The ticket list's filters are declared once (servicedesk.filtersets): the page and the API
find the same tickets in the same order, and refuse the same values under the same field
names — the page beside the field (the filter ignored), the API with a 400."""

from __future__ import annotations

import re

import pytest

from weibao.servicedesk.models import ServiceComponent, SupportGroup, Ticket
from weibao.servicedesk.services.defaults import install_defaults


@pytest.fixture
def web(pm, client_for):
    return client_for(pm)


@pytest.fixture
def tickets(new_ticket, pm):
    made = [
        new_ticket(subject="门户首页打不开", priority="p2"),
        new_ticket(subject="电子证照无法亮证", priority="p4", type="consultation", channel="email",
                   requester_phone="13912345678"),
        new_ticket(subject="统一身份认证登录失败"),
    ]
    Ticket.objects.filter(pk=made[2]["id"]).update(assignee=pm)
    return made


def _page_numbers(web, params):
    response = web.get("/tickets/", params)
    assert response.status_code == 200
    return [ticket.number for ticket in response.context["page"].object_list]


def _api_numbers(api, params):
    response = api.get("/api/v1/tickets/", params)
    assert response.status_code == 200, response.json()
    return [ticket["number"] for ticket in response.json()["results"]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "new"},
        {"status": "new,assigned"},
        {"priority": ["p1", "p4"]},
        {"type": "consultation", "channel": "email"},
        {"assignee": "me"},
        {"assignee": "none"},
        {"q": "证照"},
        {"q": "139 1234 5678"},
        {"created_from": "2020-01-01", "created_to": "2100-12-31"},
        {"view": "open", "sort": "-priority"},
        {"view": "mine"},
        {"sort": "created"},
        {"sort": "number"},
    ],
)
def test_the_page_and_the_api_find_the_same_tickets_in_the_same_order(web, api, contract, tickets, params):
    params = {"contract": contract.pk, **params}
    found = _api_numbers(api, params)
    assert found  # each case finds something, so an ignored filter would show
    assert _page_numbers(web, params) == found


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"status": "open"}, {"status"}),
        ({"priority": "p1,p9"}, {"priority"}),
        ({"contract": "²"}, {"contract"}),
        ({"contract": "1e999"}, {"contract"}),
        ({"contract": "99999999999999999999"}, {"contract"}),
        ({"group": "２"}, {"group"}),
        ({"component": "1e999"}, {"component"}),
        ({"assignee": "٣"}, {"assignee"}),
        ({"assignee": "me,3"}, {"assignee"}),
        ({"created_from": "0001-01-01"}, {"created_from"}),
        ({"created_to": "9999-12-31"}, {"created_to"}),
        ({"due_from": "2026-02-30"}, {"due_from"}),
        ({"due_to": "1e999"}, {"due_to"}),
        ({"view": "everything"}, {"view"}),
        ({"sort": "random"}, {"sort"}),
        ({"status": "bogus", "created_from": "tomorrow", "group": "x"}, {"status", "created_from", "group"}),
    ],
)
def test_the_page_and_the_api_refuse_the_same_values_naming_the_same_fields(web, api, tickets, params, fields):
    response = api.get("/api/v1/tickets/", params)
    assert response.status_code == 400
    assert set(response.json()) == fields

    page = web.get("/tickets/", params)
    assert page.status_code == 200  # the page shows the message beside the field
    assert set(page.context["errors"]) == fields
    assert page.context["errors"] == {name: messages[0] for name, messages in response.json().items()}


def test_the_page_ignores_a_refused_filter_and_applies_the_others(web, contract, tickets):
    numbers = _page_numbers(web, {"contract": contract.pk, "priority": "p4", "created_from": "0001-01-01"})
    assert numbers == [tickets[1]["number"]]


def test_only_the_api_refuses_a_parameter_it_does_not_know(web, api, contract, tickets):
    # The page's own links carry more than filters (page, page_size, export); a typo in an
    # API call is refused rather than silently listing everything.
    assert api.get("/api/v1/tickets/", {"colour": "red"}).json() == {"colour": ["未知参数。"]}
    assert web.get("/tickets/", {"colour": "red"}).status_code == 200


def test_the_api_documents_the_declared_filters(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]}
    assert {"contract", "status", "assignee", "created_from", "q", "view", "sort"} <= set(parameters)
    assert parameters["created_from"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["contract"]["schema"]["type"] == "integer"
    assert "new" in parameters["status"]["schema"]["items"]["enum"]
    # A one-ticket read takes no list filters.
    history = schema["paths"]["/api/v1/tickets/{id}/history/"]["get"].get("parameters", [])
    assert "status" not in {p["name"] for p in history}


def test_the_unassigned_choice_stays_selected_after_filtering(client_for, pm):
    html = client_for(pm).get("/tickets/", {"assignee": "none"}).content.decode()
    start = html.index('id="f-assignee"')
    select = html[start:html.index("</select>", start)]
    assert 'value="none" selected' in select


def test_the_filter_form_offers_this_contracts_components_groups_and_team_only(
    client_for, contract, other_contract, pm, make_member, desk
):
    install_defaults(other_contract)
    SupportGroup.objects.create(contract=other_contract, name="别的合同的支持组")
    make_member(contract, "resident_engineer", username="zz_engineer", display_name="驻场小李")
    make_member(other_contract, "resident_engineer", username="aa_other", display_name="别的合同的人")
    page = client_for(pm).get("/tickets/").context
    assert [c.label for c in page["components"]] == list(
        ServiceComponent.objects.filter(contract=contract).order_by("code").values_list("name", flat=True))
    assert [g.label for g in page["groups"]] == list(
        SupportGroup.objects.filter(contract=contract).order_by("name").values_list("name", flat=True))
    team = [str(u) for u in page["team"]]
    assert team[-1] == "驻场小李" and "别的合同的人" not in team  # by username, shown by display name
    html = client_for(pm).get("/tickets/").content.decode()
    assert "别的合同的支持组" not in html and "别的合同的人" not in html


def _options(html: str, select_id: str) -> dict[str, bool]:
    start = html.index(f'id="{select_id}"')
    select = html[start:html.index("</select>", start)]
    return {m.group(1): bool(m.group(2)) for m in re.finditer(r'<option value="([^"]*)"( selected)?>', select)}


def test_every_filter_select_sends_ids_and_keeps_the_chosen_ones_selected(client_for, contract, pm, desk, new_ticket):
    group = SupportGroup.objects.filter(contract=contract).order_by("pk").last()
    component = ServiceComponent.objects.filter(contract=contract).order_by("pk").first()
    web = client_for(pm)
    html = web.get("/tickets/", {"group": group.pk, "component": component.pk, "assignee": pm.pk,
                                 "status": "new,waiting", "priority": "p2", "sort": "due"}).content.decode()
    chosen = {name: [value for value, selected in _options(html, name).items() if selected]
              for name in ("f-group", "f-component", "f-assignee", "f-status", "f-priority", "f-sort")}
    assert chosen == {"f-group": [str(group.pk)], "f-component": [str(component.pk)], "f-assignee": [str(pm.pk)],
                      "f-status": ["new", "waiting"], "f-priority": ["p2"], "f-sort": ["due"]}
    new_ticket()
    rows = web.get("/tickets/", {"page_size": "50"}).content.decode()  # with a row: the bulk form, paging
    assert _options(rows, "page-size") == {"25": False, "50": True, "100": False}
    for name in ("f-group", "f-component", "f-assignee", "bulk-assignee"):
        assert all(value in ("", "none") or value.isdigit() for value in _options(rows, name)), name
