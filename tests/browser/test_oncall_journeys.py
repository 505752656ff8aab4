"""On-call journeys: the PM builds the seed's 2026 rosters in minutes; the bureau
liaison confirms the holiday duty plan."""

from __future__ import annotations

from playwright.sync_api import expect


def test_project_manager_builds_the_2026_rosters(page, login):
    login(page, "pm")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="值班", exact=True).click()
    expect(page.locator("main")).to_contain_text("当前值班")
    page.get_by_role("link", name="新建值班表").first.click()
    page.locator("#s-name").fill("休息日值班")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已创建值班表")

    page.locator("#l-name").fill("休息日周轮换")
    page.locator("#l-level").fill("3")
    page.locator("#l-rot").select_option("weekly")
    page.locator("#l-start").fill("2026-01-05T09:00")
    page.locator("#l-set").select_option("rest")
    page.locator("#l-p1").select_option(label="孙浩")
    page.locator("#l-p2").select_option(label="赵磊")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已添加轮值层")
    expect(page.locator("main table").first).to_contain_text("孙浩 → 赵磊")

    page.get_by_role("link", name="驻场排班").click()
    page.locator("#f-u").select_option(label="李明")
    page.locator("#f-first").fill("2026-01-01")
    page.locator("#f-last").fill("2026-12-31")
    page.get_by_role("button", name="排入其间每个工作日").click()
    expect(page.locator(".messages")).to_contain_text("已排入驻场")

    # The new schedule covers rest days only: its working days are gaps, computed at once.
    page.get_by_role("link", name="覆盖缺口").click()
    expect(page.locator("main table").first).to_contain_text("休息日值班")
    expect(page.locator("main table").first).not_to_contain_text("7×24 技术支持值班")


def test_liaison_confirms_the_holiday_duty_plan(page, login):
    from weibao.oncall.models import DutyPlan

    plan = DutyPlan.objects.get(contract__number="HTDZ202602135")
    login(page, "pm")
    page.goto(f"/oncall/holidays/{plan.pk}/")
    page.get_by_role("button", name="报送甲方联络人确认").click()
    expect(page.locator(".messages")).to_contain_text("已报送")
    page.context.clear_cookies()

    login(page, "liaison")
    page.goto(f"/oncall/holidays/{plan.pk}/")
    page.locator("#c-note").fill("同意，节日期间保持电话畅通")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认值守计划").click()
    expect(page.locator("main")).to_contain_text("甲方已确认")
    plan.refresh_from_db()
    assert plan.status == "confirmed"
