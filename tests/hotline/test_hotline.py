"""The hotline screen: log and close a call, route a follow-up, caller history,
knowledge suggestions, the agent's day figures, and tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from weibao.core.encrypted_fields import search_hashes
from weibao.knowledge.services.articles import create_article
from weibao.portal.models import PortalSite
from weibao.servicedesk.models import SupportGroup, Ticket
from weibao.testing.isolation import assert_isolated


@pytest.fixture
def screen(agent, client_for, desk):
    return client_for(agent)


def _started_at(page: str) -> str:
    return page.split('name="started_at" value="')[1].split('"')[0]


def test_answered_on_the_call_closes_as_first_contact(screen, clock):
    screen.get("/hotline/")
    started = clock.now().isoformat()  # what keys.js sets at the first keystroke
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
    assert not Ticket.objects.filter(
        contract=contract, requester_phone_hash__in=search_hashes("phone", "13700000000")
    ).exists()


def test_a_number_typed_with_dashes_is_found_by_caller_history_and_the_portal(screen, contract):
    screen.post("/hotline/", {"phone": "139-1234-5678", "question": "电子证照亮证失败", "outcome": "follow_up"})
    ticket = Ticket.objects.get()
    assert ticket.requester_phone == "13912345678"
    assert "电子证照亮证失败" in screen.get("/hotline/caller/", {"phone": "13912345678"}).content.decode()
    assert "电子证照亮证失败" in screen.get("/tickets/", {"q": "139-1234-5678"}).content.decode()
    PortalSite.objects.create(contract=contract, slug="shilong", title="石龙区运维服务门户")
    response = Client().post("/portal/shilong/track/", {"number": ticket.number, "phone": "13912345678"})
    assert response.status_code == 302  # the caller follows their request on the portal


def test_the_call_starts_at_the_first_keystroke_and_keeps_its_start_after_an_error(screen, clock):
    page = screen.get("/hotline/").content.decode()
    assert _started_at(page) == ""  # drawing the screen starts no call
    started = clock.now().isoformat()  # the agent starts typing
    clock.advance(timedelta(minutes=2))
    response = screen.post("/hotline/", {"started_at": started, "phone": "13912345678",
                                         "question": "咨询社保", "outcome": "answered"})
    assert response.status_code == 200 and "当场解答时请填写答复内容" in response.content.decode()
    kept = _started_at(response.content.decode())
    assert kept == started
    clock.advance(timedelta(minutes=3))
    screen.post("/hotline/", {"started_at": kept, "phone": "13912345678", "question": "咨询社保",
                              "answer": "请到社保窗口办理", "outcome": "answered"})
    ticket = Ticket.objects.get()
    assert ticket.call_ended_at - ticket.call_started_at == timedelta(minutes=5)


@pytest.mark.parametrize(("offset", "talk"), [
    (timedelta(hours=-6), timedelta(hours=4)),  # a form left open: at most four hours
    (timedelta(minutes=10), timedelta(0)),  # the browser's clock runs ahead
    (None, timedelta(0)),  # no keystroke recorded: starts on submit
])
def test_the_call_start_is_clamped_to_the_last_four_hours(screen, clock, offset, talk):
    data = {"phone": "13912345678", "question": "咨询", "answer": "已答复", "outcome": "answered"}
    if offset is not None:
        data["started_at"] = (clock.now() + offset).isoformat()
    assert screen.post("/hotline/", data).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.call_ended_at - ticket.call_started_at == talk


@pytest.mark.parametrize("started_at", [
    "2026-11-24T10:00:00",  # no time zone
    "2026-02-30T10:00:00+08:00",  # no such day
    "2026-02-30T10:00:00",
    "昨天上午",
])
def test_a_malformed_call_start_is_a_named_field_error_not_a_server_error(screen, clock, started_at):
    response = screen.post("/hotline/", {"started_at": started_at, "phone": "13912345678", "question": "咨询社保",
                                         "answer": "已答复", "outcome": "answered", "component": "²"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "通话开始时间" in body and "咨询社保" in body
    assert _started_at(body) == ""  # submitting again records the call from now
    assert not Ticket.objects.exists()


def test_follow_ups_go_to_the_group_the_contract_chose_whatever_its_name(screen, contract):
    SupportGroup.objects.filter(contract=contract, name="二线运维组").update(name="应用运维二组")
    screen.post("/hotline/", {"phone": "13912345678", "question": "亮证失败", "outcome": "follow_up"})
    assert Ticket.objects.get().group.name == "应用运维二组"

    SupportGroup.objects.filter(contract=contract).update(hotline_follow_up=False)
    SupportGroup.objects.filter(contract=contract, name="驻场组").update(hotline_follow_up=True)
    screen.post("/hotline/", {"phone": "13912345678", "question": "机房断网", "outcome": "follow_up"})
    assert Ticket.objects.get(subject="机房断网").group.name == "驻场组"


def test_without_a_follow_up_group_the_agent_is_told(screen, contract):
    SupportGroup.objects.filter(contract=contract).update(hotline_follow_up=False)
    response = screen.post("/hotline/", {"phone": "13912345678", "question": "亮证失败", "outcome": "follow_up"},
                           follow=True)
    assert Ticket.objects.get().group is None
    assert "尚未指定接收热线跟进的支持组" in response.content.decode()


def test_only_one_follow_up_group_per_contract(contract, desk):
    from django.core.exceptions import ValidationError

    group = SupportGroup.objects.get(contract=contract, name="驻场组")
    group.hotline_follow_up = True
    with pytest.raises(ValidationError, match="只能有一个"):
        group.full_clean()


def test_my_follow_ups_counts_and_lists_only_the_agents_own(screen, contract, make_member, client_for):
    colleague = client_for(make_member(contract, "hotline_agent", username="agent2"))
    screen.post("/hotline/", {"phone": "13912345678", "question": "我接的来电", "outcome": "follow_up"})
    colleague.post("/hotline/", {"phone": "13800000000", "question": "同事接的来电", "outcome": "follow_up"})
    page = screen.get("/hotline/").content.decode()
    figure = page.split('id="agent-day"')[1].split("我的待跟进")[0]
    link = figure.rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "<strong>1</strong>" in figure
    listed = screen.get(link).content.decode()
    assert "我接的来电" in listed and "同事接的来电" not in listed
