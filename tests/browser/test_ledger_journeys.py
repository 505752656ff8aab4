"""Ledger journey: the PM corrects the payment schedule and the contract's periods on the
overview, with the keyboard and the page's own confirmations."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect


def test_project_manager_corrects_the_schedule_and_the_periods(page, login):
    from weibao.contracts.models import Contract
    from weibao.ledger.models import ContractTerms, PaymentMilestone

    seed = Contract.objects.get(number="HTDZ202602135")
    final = PaymentMilestone.objects.get(contract=seed, kind="final")
    login(page, "pm")
    page.goto(f"/ledger/{seed.pk}/")

    # The balance, 10,000 less (a supplementary agreement moved it to an instalment).
    row = page.locator(f"#milestone-{final.pk}")
    row.get_by_text("修改", exact=True).click()
    amount = page.locator(f"#m-{final.pk}-amount")
    amount.fill(str(final.amount - Decimal("10000")))
    amount.press("Enter")
    expect(page.locator(".messages")).to_contain_text("付款节点已保存")

    page.locator("#new-milestone summary").click()
    page.locator("#new-m-name").fill("补充协议进度款")
    page.locator("#new-m-amount").fill("10000")
    page.locator("#new-m-due").fill("2026-12-31")
    page.locator("#new-m-condition").press("Tab")
    page.get_by_role("button", name="添加付款节点").click()
    expect(page.locator(".messages")).to_contain_text("付款节点已添加")
    added = PaymentMilestone.objects.get(contract=seed, name="补充协议进度款")
    expect(page.locator(f"#milestone-{added.pk}")).to_contain_text("10000.00")

    # Removed, after the page asks; dismissing the question keeps it.
    page.locator(f"#milestone-{added.pk}").get_by_text("修改", exact=True).click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator(f"#milestone-{added.pk}").get_by_role("button", name="删除付款节点").click()
    assert PaymentMilestone.objects.filter(pk=added.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#milestone-{added.pk}").get_by_role("button", name="删除付款节点").click()
    expect(page.locator(".messages")).to_contain_text("付款节点已删除")
    assert not PaymentMilestone.objects.filter(pk=added.pk).exists()

    page.get_by_text("修改期限与限制").click()
    remedy = page.locator("#t-remedy")
    remedy.fill("10")
    remedy.press("Enter")
    expect(page.locator(".messages")).to_contain_text("履约期限与限制已保存")
    expect(page.locator("#terms + dl")).to_contain_text("10 个工作日")
    assert ContractTerms.objects.get(contract=seed).remedy_working_days == 10
