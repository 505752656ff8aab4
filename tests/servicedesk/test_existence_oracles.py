"""An id that belongs to another contract (its support group, service component or people)
gets exactly the answer a non-existent id gets, on the API and on the pages: nothing tells
a member of one contract what exists in another."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from weibao.servicedesk.models import ServiceComponent, SupportGroup
from weibao.servicedesk.services.defaults import install_defaults

MISSING = 987654


@pytest.fixture
def foreign(other_contract, outsider):
    """Another contract's catalogue and a member of its vendor team."""
    install_defaults(other_contract)
    return {
        "group": SupportGroup.objects.filter(contract=other_contract).first().pk,
        "component": ServiceComponent.objects.filter(contract=other_contract).first().pk,
        "assignee": outsider.pk,
    }


def _same(answer, foreign_id: int) -> None:
    """``answer(id)`` is (status, text); the foreign id's answer is the missing id's."""
    status, text = answer(foreign_id)
    missing_status, missing_text = answer(MISSING)
    assert status == missing_status
    assert _without(text, foreign_id) == _without(missing_text, MISSING)


def _without(text: str, pk: int) -> str:
    return re.sub(rf"(?<!\d){pk}(?!\d)", "<id>", text)


def _api(response) -> tuple[int, str]:
    return response.status_code, response.content.decode()


def _said(response) -> tuple[int, str]:
    """A page's status, its field errors and the messages it leaves for the next page."""
    page = response.content.decode()
    errors = re.findall(r'class="(?:field-error|form-error)"[^>]*>(.*?)</', page, re.S)
    errors += re.findall(r'class="error-page"><h1>400</h1><p>(.*?)</p>', page, re.S)
    told = [str(message) for message in get_messages(response.wsgi_request)]
    return response.status_code, "\n".join(errors + told)


@pytest.mark.parametrize("field", ["group", "component", "assignee"])
def test_api_create_answers_another_contracts_id_as_a_missing_one(api, contract, desk, foreign, field):
    def answer(pk):
        body = {"contract": contract.pk, "type": "fault", "subject": "门户打不开", "requester_name": "李四",
                field: pk}
        return _api(api.post("/api/v1/tickets/", body, format="json"))

    assert answer(foreign[field])[0] == 400
    _same(answer, foreign[field])


@pytest.mark.parametrize("field", ["group", "component", "assignee"])
def test_api_update_answers_another_contracts_id_as_a_missing_one(api, new_ticket, foreign, field):
    ticket = new_ticket()

    def answer(pk):
        return _api(api.patch(f"/api/v1/tickets/{ticket['id']}/", {field: pk}, format="json"))

    assert answer(foreign[field])[0] == 400
    _same(answer, foreign[field])


def test_api_assignment_by_transition_answers_another_contracts_user_as_a_missing_one(api, new_ticket, foreign):
    ticket = new_ticket()

    def answer(pk):
        return _api(api.post(f"/api/v1/tickets/{ticket['id']}/transition/",
                             {"to": "assigned", "assignee": pk}, format="json"))

    assert answer(foreign["assignee"])[0] == 400
    _same(answer, foreign["assignee"])


@pytest.mark.parametrize("field", ["group", "component", "assignee"])
def test_the_new_ticket_form_answers_another_contracts_id_as_a_missing_one(pm, client_for, desk, foreign, field):
    web = client_for(pm)

    def answer(pk):
        return _said(web.post("/tickets/new/", {
            "type": "fault", "priority": "p3", "channel": "phone", "subject": "门户打不开",
            "requester_name": "李四", field: pk,
        }))

    assert answer(foreign[field])[1]  # refused, with a reason
    _same(answer, foreign[field])


def test_page_actions_answer_another_contracts_id_as_a_missing_one(pm, client_for, new_ticket, foreign):
    ticket = new_ticket()
    actions = {  # each answered in a fresh session, so no message is left from the one before
        "assignee": [
            lambda pk: client_for(pm).post("/tickets/bulk/", {"ticket": [ticket["id"]], "action": "assign",
                                                              "assignee": pk}),
            lambda pk: client_for(pm).post(f"/tickets/{ticket['id']}/transition/",
                                           {"to": "assigned", "assignee": pk}),
        ],
        "component": [lambda pk: client_for(pm).post(f"/tickets/{ticket['id']}/update/", {"component": pk})],
    }
    for field, acts in actions.items():
        for act in acts:
            told = _said(act(foreign[field]))[1]
            assert told and "已保存" not in told, field  # refused, with a reason
            _same(lambda pk, act=act: _said(act(pk)), foreign[field])
