"""The hotline screen: log and close a call, route a follow-up, caller history,
knowledge suggestions, the agent's day figures, and tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from weibao.knowledge.services import create_article
from weibao.servicedesk.models import Ticket
from weibao.testing.isolation import assert_isolated


@pytest.fixture
def agent(contract, make_member):
    return make_member(contract, "hotline_agent", username="agent")


@pytest.fixture
def screen(agent, client_for, desk):
    return client_for(agent)


def test_answered_on_the_call_closes_as_first_contact(screen, clock):
    page = screen.get("/hotline/").content.decode()
    started = page.split('name="started_at" value="')[1].split('"')[0]
    clock.advance(timedelta(minutes=4))
    response = screen.post("/hotline/", {
        "started_at": started, "phone": "13912345678", "name": "张三", "organisation": "个人",
        "question": "个人用户忘记密码怎么办", "answer": "登录页点忘记密码，用手机号验证后重置", "outcome": "answered",
    })
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.type, ticket.channel, ticket.status) == ("consultation", "phone", "closed")
    assert ticket.first_contact_resolved
    assert (ticket.call_ended_at - ticket.call_started_at) == timedelta(minutes=4)
    assert ticket.entries.filter(kind="reply", public=True, body__contains="忘记密码").exists()
    page = screen.get("/hotline/").content.decode()
    assert "已记录并关闭" in page
    assert 'id="agent-day"' in page and "100%" in page


def test_needs_follow_up_goes_to_the_engineers_queue(screen):
    screen.post("/hotline/", {"phone": "13912345678", "question": "电子证照亮证失败\n提示接口超时",
                              "answer": "已记录，转工程师", "outcome": "follow_up"})
    ticket = Ticket.objects.get()
    assert ticket.status == "new" and not ticket.first_contact_resolved
    assert ticket.group.name == "二线运维组"
    assert ticket.subject == "电子证照亮证失败"
    assert ticket.entries.filter(kind="note", public=False).exists()
    assert ticket.clocks.exists()


def test_missing_answer_is_a_field_error_and_keeps_the_input(screen):
    response = screen.post("/hotline/", {"phone": "139", "question": "咨询社保", "outcome": "answered"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "当场解答时请填写答复内容" in body and "咨询社保" in body
    assert not Ticket.objects.exists()


def test_caller_history_by_phone(screen, new_ticket):
    new_ticket(requester_phone="13912345678", subject="上次的门户问题")
    assert "上次的门户问题" in screen.get("/hotline/caller/", {"phone": "139 1234 5678"}).content.decode()
    assert "没有历史工单" in screen.get("/hotline/caller/", {"phone": "13800000000"}).content.decode()


def test_knowledge_suggestions_update_with_the_question(screen, contract, agent):
    create_article(contract, title="法人用户U盾证书无效的处理", body="重新安装数字证书驱动，检查证书有效期。",
                   tags=["U盾", "数字证书"], publish=True, by=agent)
    body = screen.get("/hotline/suggest/", {"question": "U盾插上提示证书无效"}).content.decode()
    assert "法人用户U盾证书无效的处理" in body


def test_only_the_vendor_team_uses_the_hotline(contract, make_member, client_for, desk):
    viewer = client_for(make_member(contract, "bureau_viewer"))
    assert viewer.get("/hotline/").status_code == 403


def test_hotline_is_isolated(screen, new_ticket, outsider, client_for, contract):
    new_ticket(requester_phone="13912345678", subject="石龙区的私密问题")
    web = client_for(outsider)
    assert_isolated(web, ["/hotline/caller/?phone=13912345678", "/hotline/suggest/?question=私密"],
                    secrets=["石龙区的私密问题", "13912345678"])
    # other_pm's own hotline screen logs into other_pm's contract, never the seed contract.
    web.post("/hotline/", {"phone": "13700000000", "question": "x", "answer": "y", "outcome": "answered"})
    assert not Ticket.objects.filter(contract=contract, requester_phone="13700000000").exists()
