"""Service-desk journeys in a real browser: the hotline agent takes a call with the
keyboard only, an engineer works a ticket and sees its SLA timer pause and resume, the
project manager edits an SLA policy and a holiday, the bureau liaison follows and rates a
ticket, and a citizen submits, follows and rates a request on the portal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_hotline_agent_logs_and_closes_a_call_with_the_keyboard_only(page, login):
    login(page, "agent")
    page.goto("/hotline/")
    calls_before = int(page.locator("#agent-day strong").first.inner_text())
    expect(page.locator("#phone")).to_be_focused()
    page.keyboard.type("13912345678")
    expect(page.locator("#caller-history")).to_contain_text("历史工单")
    page.keyboard.press("Tab")
    page.keyboard.type("张三")
    page.keyboard.press("Tab")
    page.keyboard.type("个人")
    page.keyboard.press("Tab")  # catalogue component: left empty
    page.keyboard.press("Tab")
    page.keyboard.type("个人用户忘记登录密码怎么重置")
    expect(page.locator("#kb-suggestions li").first).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.type("登录页点“忘记密码”，选个人用户，用注册手机号验证后重置。")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text("当场解答")
    expect(page.locator("#agent-day strong").first).to_have_text(str(calls_before + 1))

    from weibao.core.encrypted_fields import keyed_hash
    from weibao.servicedesk.models import Ticket

    # Encrypted at rest: found through the keyed hashes (decision 0026).
    ticket = Ticket.objects.get(requester_phone_hash=keyed_hash("phone", "13912345678"),
                                requester_name_hash=keyed_hash("name", "张三"))
    assert ticket.status == "closed" and ticket.first_contact_resolved


def _ticket_for(username: str, status: str):
    """One of ``username``'s tickets whose resolution clock is running and not yet due
    (a breached clock would look the same paused or not)."""
    from weibao.core import clock
    from weibao.servicedesk.models import Ticket

    return (
        Ticket.objects.filter(assignee__username=username, status=status, clocks__target="resolution",
                              clocks__state="running", clocks__due_at__gt=clock.now())
        .distinct()
        .order_by("-created_at")
        .first()
    )


def test_engineer_works_a_ticket_and_sees_the_sla_timer_pause_and_resume(page, login):
    ticket = _ticket_for("engineer", "in_progress") or _ticket_for("oncall1", "in_progress")
    assert ticket is not None, "the demo data has tickets in progress"
    login(page, ticket.assignee.username)
    page.goto(f"/tickets/{ticket.pk}/")
    resolution = page.locator('.sla-timer[data-target="resolution"]')
    expect(resolution).to_have_attribute("data-ticking", "1")
    page.locator('button[data-action="waiting"]').click()
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "waiting")
    expect(resolution).to_have_attribute("data-state", "paused")
    expect(resolution).to_have_attribute("data-ticking", "0")
    page.locator('button[data-action="in_progress"]').click()
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "in_progress")
    expect(resolution).to_have_attribute("data-ticking", "1")
    expect(resolution.locator(".countdown")).not_to_be_empty()
    page.locator("textarea[name=comment]").nth(1).fill("已更换证书驱动")
    page.locator('button[data-action="resolved"]').click()
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "resolved")
    expect(resolution).to_have_attribute("data-state", re.compile("met|breached"))


def test_project_manager_edits_an_sla_policy_and_a_holiday(page, login):
    login(page, "pm")
    page.get_by_role("link", name="日历与服务级别").click()
    page.get_by_role("link", name="服务级别策略").click()
    row = page.locator("form.policy-row").first
    row.locator("input[name=response_minutes]").fill("12")
    row.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("form.policy-row").first.locator("input[name=response_minutes]")).to_have_value("12")

    page.goto("/calendars/?year=2026")
    page.locator("#h-date").fill("2026-12-31")
    page.locator("#h-kind").select_option("rest")
    page.locator("#h-name").fill("跨年保障调休")
    page.locator("form[action$='/holidays/set/'] button").click()
    expect(page.locator(".messages")).to_contain_text("2026-12-31")
    expect(page.locator('td[data-date="2026-12-31"]')).to_have_class(re.compile("rest"))


def test_bureau_liaison_follows_urges_and_rates_a_ticket(page, login):
    from weibao.servicedesk.models import Ticket

    open_ticket = Ticket.objects.filter(status="in_progress", contract__number="HTDZ202602135").first()
    resolved = Ticket.objects.filter(status="resolved", rating__isnull=True, contract__number="HTDZ202602135").first()
    login(page, "liaison")
    page.goto(f"/tickets/{open_ticket.pk}/")
    page.get_by_role("button", name="关注").click()
    expect(page.get_by_role("button", name="取消关注")).to_be_visible()
    page.locator("#urge-comment").fill("群众反映强烈")
    page.get_by_role("button", name="督办").click()
    expect(page.locator(".messages")).to_contain_text("已督办")
    page.goto(f"/tickets/{resolved.pk}/")
    page.locator("#rating-form").get_by_label("满意", exact=True).check()
    page.locator("#rate-comment").fill("处理及时")
    page.locator("#rating-form").get_by_role("button", name="提交评价").click()
    expect(page.locator("#rating p").first).to_have_text(re.compile(r"^满意 · "))


def test_citizen_submits_follows_and_rates_on_the_portal(page):
    page.goto("/portal/shilong/")
    page.locator("#kb-q").fill("忘记密码")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".kb-results li").first).to_be_visible()
    form = page.locator("#portal-submit")
    form.locator("#p-type").select_option("fault")
    form.locator("#p-name").fill("王五")
    form.locator("#p-phone").fill("13955556666")
    form.locator("#p-subject").fill("营业执照变更提交后一直显示处理中")
    form.locator("#p-desc").fill("昨天提交的变更申请，今天还是处理中。")
    label = form.locator("label[for=p-challenge]").inner_text()
    first, second = (int(n) for n in re.findall(r"(\d+) \+ (\d+)", label)[0])
    form.locator("#p-challenge").fill(str(first + second))
    form.get_by_role("button", name="提交").click()
    number = page.locator("#ticket-number").inner_text()
    assert number.startswith("SL-")

    from weibao.accounts.models import User
    from weibao.servicedesk.models import Ticket
    from weibao.servicedesk.services import tickets

    ticket = Ticket.objects.get(number=number, contract__number="HTDZ202602135")
    engineer = User.objects.get(username="engineer")
    tickets.transition(ticket, "assigned", by=engineer, assignee=engineer)
    tickets.add_reply(ticket, "已联系市场监管局后台处理，请刷新查看。", by=engineer)
    tickets.transition(ticket, "in_progress", by=engineer)
    tickets.transition(ticket, "resolved", by=engineer, comment="已处理")

    fresh = page.context.new_page()
    fresh.goto("/portal/shilong/track/")
    fresh.locator("#t-number").fill(number)
    fresh.locator("#t-phone").fill("139 5555 6666")
    fresh.get_by_role("button", name="查询").click()
    expect(fresh.locator("#portal-status")).to_have_text("已解决")
    expect(fresh.locator("main")).to_contain_text("请刷新查看")
    fresh.locator("#rating-form").get_by_label("非常满意").check()
    fresh.locator("#rating-form").get_by_role("button", name="提交评价").click()
    expect(fresh.locator(".messages")).to_contain_text("感谢您的评价")
