"""Knowledge-base and 好差评 journeys in a real browser: the project manager writes,
publishes, finds, revises and looks back through an article; an engineer turns a resolved
ticket into a draft article; a dissatisfied rating becomes a rectification the project
manager calls back and closes; the satisfaction figures of a quick period, and their CSV;
a portal visitor says an article helped, once."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEED_NUMBER = "HTDZ202602135"
PORTAL = "/portal/shilong"

ARTICLE_TITLE = "电子社保卡申领后无法激活的处理"
ARTICLE_BODY = (
    "## 现象\n\n"
    "在政务服务平台申领电子社保卡后，点击“激活”一直提示失败。\n\n"
    "## 处理方法\n\n"
    "1. 核对实名认证信息与社保登记信息是否一致\n"
    "2. 退出后重新登录，再次点击激活\n"
)
REVISED_STEP = "仍无法激活的，请拨打12345热线转人社部门核实参保状态"


def _article_id(page) -> int:
    return int(re.search(r"/knowledge/(\d+)/", page.url).group(1))


def test_pm_writes_publishes_finds_revises_and_reviews_an_article(page, context, login):
    from weibao.knowledge.models import Article

    login(page, "pm")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="知识库").click()
    page.get_by_role("link", name="写文章").click()
    expect(page.locator("main h1")).to_have_text("写文章")
    page.get_by_label("标题").fill(ARTICLE_TITLE)
    page.get_by_label("正文（Markdown）").fill(ARTICLE_BODY)
    page.get_by_label("标签").fill("社保卡，激活")
    page.get_by_label("可见范围").select_option("public")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("文章已保存。")
    expect(page.locator("main h1")).to_have_text(ARTICLE_TITLE)
    expect(page.locator("main p.help").first).to_contain_text("草稿 · 公开（门户可见） · 社保卡、激活")
    expect(page.locator(".kb-body h2")).to_have_text(["现象", "处理方法"])
    expect(page.locator(".kb-body ol li")).to_have_count(2)
    pk = _article_id(page)
    article = Article.objects.get(pk=pk)
    assert (article.status, article.visibility, article.tags) == ("draft", "public", ["社保卡", "激活"])

    # A draft is not on the portal.
    portal = context.new_page()
    response = portal.goto(f"{PORTAL}/kb/{pk}/")
    assert response is not None and response.status == 404

    page.get_by_role("link", name="编辑", exact=True).click()
    expect(page.get_by_label("标题")).to_have_value(ARTICLE_TITLE)
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已保存为新版本。")
    expect(page.locator("main p.help").first).to_contain_text("已发布 · 公开（门户可见）")
    portal.goto(f"{PORTAL}/kb/{pk}/")
    expect(portal.locator("article h1")).to_have_text(ARTICLE_TITLE)
    expect(portal.locator("article")).to_contain_text("退出后重新登录")

    # Found by the words a caller would use, none of them the article's own.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="知识库").click()
    page.get_by_label("搜索问题").fill("社会保险卡电子版激活不了")
    hits = page.locator("#kb-results .kb-results li")
    # The hit's title, then why it matched (issue 18).
    expect(hits.first.get_by_role("link")).to_have_text(ARTICLE_TITLE)
    expect(hits.first).to_contain_text("匹配")
    hits.first.get_by_role("link").click()
    assert _article_id(page) == pk

    # Editing a published article saves a revision; readers keep the live text.
    page.get_by_role("link", name="编辑", exact=True).click()
    expect(page.get_by_role("note")).to_contain_text("读者看到的仍是已发布的版本")
    page.get_by_label("正文（Markdown）").fill(ARTICLE_BODY + f"3. {REVISED_STEP}\n")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("修订已保存为草稿")
    expect(page.locator("#kb-revision")).to_contain_text("待发布的修订 v3")
    expect(page.locator(".kb-body")).not_to_contain_text(REVISED_STEP)
    portal.reload()
    expect(portal.locator("article")).to_contain_text("退出后重新登录")
    expect(portal.locator("article")).not_to_contain_text(REVISED_STEP)
    assert REVISED_STEP not in Article.objects.get(pk=pk).body

    page.get_by_role("link", name="继续编辑修订").click()
    expect(page.get_by_role("note")).to_contain_text("您在编辑待发布的修订 v3")
    expect(page.get_by_label("正文（Markdown）")).to_have_value(re.compile(REVISED_STEP))
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已保存为新版本。")
    expect(page.locator("#kb-revision")).to_have_count(0)
    expect(page.locator(".kb-body ol li")).to_have_count(3)
    portal.reload()
    expect(portal.locator("article ol li").nth(2)).to_have_text(REVISED_STEP)
    assert REVISED_STEP in Article.objects.get(pk=pk).body

    # The history: every save is a version; the first published one still reads as it did.
    page.get_by_role("link", name="版本历史", exact=True).click()
    expect(page.locator("main h1")).to_have_text("版本历史")
    expect(page.locator("main table tbody tr")).to_have_count(4)
    expect(page.locator("#v1")).to_contain_text("草稿")
    expect(page.locator("#v4")).to_contain_text("当前发布")
    page.locator("#v2").get_by_role("link", name="查看").click()
    expect(page.locator("main h1")).to_have_text(ARTICLE_TITLE)
    expect(page.locator("main p.help")).to_contain_text(re.compile(r"^v2 · 已发布 · 王建国"))
    expect(page.locator(".kb-body ol li")).to_have_count(2)
    expect(page.locator(".kb-body")).not_to_contain_text(REVISED_STEP)
    expect(page.get_by_role("link", name="恢复此版本")).to_be_visible()
    portal.close()


def test_engineer_drafts_an_article_from_a_resolved_ticket_without_personal_data(page, login):
    from weibao.knowledge.models import Article
    from weibao.servicedesk.models import Ticket

    ticket = (
        Ticket.objects.filter(contract__number=SEED_NUMBER, status="resolved")
        .exclude(requester_phone="")
        .order_by("pk")
        .first()
    )
    assert ticket is not None, "the demo data has resolved tickets"
    # Requesters often write their phone and name into the description itself.
    description = f"{ticket.description} 联系人{ticket.requester_name}，电话 {ticket.requester_phone}。"
    Ticket.objects.filter(pk=ticket.pk).update(description=description)

    login(page, "engineer")
    page.goto(f"/tickets/{ticket.pk}/")
    page.locator("#kb-from-ticket").get_by_role("button", name="生成知识文章").click()
    expect(page.locator(".messages")).to_contain_text(f"已根据工单 {ticket.number} 生成文章草稿")
    expect(page).to_have_url(re.compile(r"/knowledge/\d+/edit/$"))
    expect(page.locator("main h1")).to_have_text("编辑文章")
    expect(page.get_by_label("标题")).to_have_value(ticket.subject)
    body = page.get_by_label("正文（Markdown）")
    expect(body).to_have_value(re.compile(r"^## 问题"))
    expect(body).to_have_value(re.compile("## 解决方法"))
    resolution = ticket.entries.filter(to_status="resolved").order_by("-created_at").first().body
    expect(body).to_have_value(re.compile(re.escape(resolution)))  # the demo's own resolution text
    expect(body).to_have_value(re.compile("【已隐去】"))
    text = body.input_value()
    assert ticket.requester_phone not in text and ticket.requester_name not in text, text

    article = Article.objects.get(pk=_article_id(page))
    assert (article.status, article.source_ticket_id) == ("draft", ticket.pk)
    # Back on the ticket, the draft is listed so that nobody writes it twice.
    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.locator("#kb-from-ticket")).to_contain_text(f"{ticket.subject}（草稿）")


def test_dissatisfied_rating_opens_a_rectification_the_pm_calls_back_and_closes(page, context, login):
    from weibao.feedback.models import Rectification
    from weibao.servicedesk.models import Ticket

    ticket = (
        Ticket.objects.filter(contract__number=SEED_NUMBER, status="resolved", rating__isnull=True)
        .order_by("-pk")
        .first()
    )
    login(page, "liaison")
    page.goto(f"/tickets/{ticket.pk}/")
    form = page.locator("#rating-form")
    form.get_by_label("不满意", exact=True).check()
    page.locator("#rate-comment").fill("办理过程反复要求补材料，等了三天")
    form.get_by_role("button", name="提交评价").click()
    expect(page.locator(".messages")).to_contain_text("已记录评价。")
    expect(page.locator("#rating p").first).to_have_text(re.compile(r"^不满意 · "))
    expect(page.locator("#rating-form")).to_have_count(0)
    rectification = Rectification.objects.get(ticket=ticket)
    assert rectification.status == "open" and rectification.rating.level == 2

    context.clear_cookies()
    login(page, "pm")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="好差评").click()
    row = page.locator("main table tbody tr", has_text=ticket.number)
    expect(row).to_contain_text("不满意")
    expect(row).to_contain_text("办理过程反复要求补材料")
    expect(row).to_contain_text("未回访")
    expect(row).to_contain_text("整改中")
    row.get_by_role("link", name=ticket.number).click()
    expect(page.locator("main h1")).to_contain_text(f"差评整改 · {ticket.number}")
    expect(page.locator(".page-head .badge")).to_have_text("整改中")
    expect(page.locator("main dl")).to_contain_text("尚未回访")

    # Closing before the requester was called back is refused.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="办结整改").click()
    expect(page.locator(".messages")).to_contain_text("须先记录对请求人的回访，才能办结整改。")
    expect(page.locator(".page-head .badge")).to_have_text("整改中")
    assert Rectification.objects.get(pk=rectification.pk).status == "open"

    page.get_by_label("整改措施").fill("补正材料清单在受理时一次性告知，窗口人员复训")
    page.get_by_label("回访记录").fill("电话回访请求人，已说明原因并致歉，请求人表示理解")
    page.get_by_label("回访结果").select_option(label="认可整改")
    page.get_by_role("button", name="保存回访").click()
    expect(page.locator(".messages")).to_contain_text("已记录回访。")
    expect(page.locator("main dl")).to_contain_text("认可整改")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="办结整改").click()
    expect(page.locator(".messages")).to_contain_text("整改已办结。")
    expect(page.locator(".page-head .badge")).to_have_text("已办结")
    expect(page.get_by_role("button", name="办结整改")).to_have_count(0)
    closed = Rectification.objects.get(pk=rectification.pk)
    assert closed.status == "closed" and closed.closed_at is not None
    assert closed.callback_outcome == "accepted"

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="好差评").click()
    expect(page.locator("main table tbody tr", has_text=ticket.number)).to_have_count(0)
    page.locator("nav.tabs").get_by_role("link", name="已办结").click()
    row = page.locator("main table tbody tr", has_text=ticket.number)
    expect(row).to_contain_text("认可整改")
    expect(row).to_contain_text("已办结")


def _figure(page, label: str):
    figure = page.locator("#figures .figure").filter(
        has=page.locator("span", has_text=re.compile(f"^{label}$"))
    )
    return figure.locator("strong")


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def _expect_figures(page, figures) -> None:
    start, end = figures.start.isoformat(), figures.end.isoformat()
    expect(page.locator("#figures h2")).to_have_text(f"{start} 至 {end}")
    expect(page.locator("#start")).to_have_value(start)
    expect(page.locator("#end")).to_have_value(end)
    expect(_figure(page, "评价数")).to_have_text(str(figures.ratings))
    expect(_figure(page, "满意率")).to_have_text(_rate(figures.satisfaction_rate))
    expect(_figure(page, "电话咨询一次解决率")).to_have_text(_rate(figures.first_contact_rate))
    expect(_figure(page, "期末未办结整改")).to_have_text(str(figures.rectifications_open))
    counts = [str(n) for n in figures.per_level.values()] + [str(figures.relayed_by_phone)]
    expect(page.locator("#figures table tbody td")).to_have_text(counts)


def test_pm_picks_a_quick_period_sees_its_figures_and_downloads_the_csv(page, login, demo):
    from weibao.accounts.models import User
    from weibao.audit.models import AuditRecord
    from weibao.core import clock
    from weibao.feedback.models import Rating
    from weibao.feedback.services import ratings
    from weibao.feedback.services.figures import quick_periods, satisfaction_figures
    from weibao.servicedesk.models import Ticket

    liaison = User.objects.get(username="liaison")
    pm = User.objects.get(username="pm")
    resolved = list(
        Ticket.objects.filter(contract=demo.seed, status="resolved", rating__isnull=True).order_by("pk")[:3]
    )
    assert len(resolved) == 3, "the demo data has three unrated resolved tickets"
    ratings.rate(resolved[0], 5, "很快就解决了", by=liaison, source=Rating.Source.WEB)
    ratings.rate(resolved[1], 2, "等太久", by=liaison, source=Rating.Source.WEB)
    ratings.rate(resolved[2], 4, "", by=pm, source=Rating.Source.WEB)  # relayed from a call

    periods = {p.key: p for p in quick_periods(clock.local_now().date())}
    last_month = satisfaction_figures(demo.seed, periods["last_month"].start, periods["last_month"].end)
    this_year = satisfaction_figures(demo.seed, periods["year"].start, periods["year"].end)
    assert this_year.ratings >= 3 and this_year.relayed_by_phone >= 1

    login(page, "pm")
    page.goto("/feedback/")
    expect(page.locator("main h1")).to_have_text(f"好差评与整改 · {SEED_NUMBER}")
    quick = page.locator("#figures .quick-periods")
    expect(quick.locator("a.active")).to_have_text("本月")

    quick.get_by_role("link", name="上月").click()
    expect(quick.locator("a.active")).to_have_text("上月")
    _expect_figures(page, last_month)

    quick.get_by_role("link", name="本年").click()
    expect(quick.locator("a.active")).to_have_text("本年")
    _expect_figures(page, this_year)

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 CSV").click()
    download = info.value
    start, end = this_year.start, this_year.end
    assert re.fullmatch(
        rf"feedback-{start:%Y%m%d}-{end:%Y%m%d}-\d{{8}}-\d{{4}}\.csv", download.suggested_filename
    ), download.suggested_filename
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["指标", "数值"]
    values = dict(rows[1:])
    assert values["合同"] == SEED_NUMBER
    assert (values["开始日期"], values["结束日期"]) == (start.isoformat(), end.isoformat())
    assert values["评价数"] == str(this_year.ratings)
    assert values["满意率"] == _rate(this_year.satisfaction_rate)
    assert values["不满意"] == str(this_year.per_level[2])
    assert values["其中电话回访代录"] == str(this_year.relayed_by_phone)
    assert AuditRecord.objects.filter(action="feedback.figures.export", actor=pm).exists()


def test_portal_visitor_finds_an_article_and_says_it_helped_once(page):
    from weibao.knowledge.models import Article, ArticleVote

    page.goto(f"{PORTAL}/")
    page.locator("#kb-q").fill("忘记密码怎么办")
    page.get_by_role("button", name="搜索").click()
    first = page.locator(".kb-results li").first
    title = first.get_by_role("link").inner_text()
    first.get_by_role("link").click()
    expect(page.locator("article h1")).to_have_text(title)
    pk = int(re.search(r"/kb/(\d+)/", page.url).group(1))
    article = Article.objects.get(pk=pk)
    assert article.visibility == "public" and article.status == "published"
    before = article.helpful_count

    feedback = page.locator("#kb-vote")
    expect(feedback).to_contain_text("这篇文章有帮助吗？")
    helpful = feedback.get_by_role("button", name=re.compile(r"^有帮助"))
    expect(helpful).to_have_text(f"有帮助 ({before})")
    helpful.click()
    expect(page.locator(".messages")).to_contain_text("感谢您的反馈。")
    expect(helpful).to_have_text(f"有帮助 ({before + 1})")

    # The same visit again: thanked, not counted twice.
    helpful.click()
    expect(page.locator(".messages")).to_contain_text("感谢您的反馈。")
    expect(helpful).to_have_text(f"有帮助 ({before + 1})")
    expect(feedback.get_by_role("button", name=re.compile(r"^没帮助"))).to_have_text(
        f"没帮助 ({article.not_helpful_count})"
    )
    assert Article.objects.get(pk=pk).helpful_count == before + 1
    assert ArticleVote.objects.filter(article_id=pk).count() == 1
