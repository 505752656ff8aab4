import re

import pytest

from weibao.knowledge.models import Article, Synonym
from weibao.knowledge.services.articles import create_article, update_article
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db


def test_typing_a_question_shows_live_results(client_for, agent, contract, password_pair):
    response = client_for(agent).get("/knowledge/", {"q": "企业密码忘了"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<mark>" in body  # the matched words are highlighted
    body = re.sub(r"</?mark>", "", body)
    assert body.index("法人用户忘记登录密码") < body.index("个人用户忘记登录密码")
    assert "<html" not in body


def test_an_agent_drafts_then_publishes_with_history(client_for, agent, contract):
    client = client_for(agent)
    data = {
        "title": "社保卡挂失",
        "body": "# 步骤\n<script>x()</script>",
        "tags": "社保, 挂失",
        "visibility": "public",
    }
    response = client.post("/knowledge/new/", data)
    article = Article.objects.get(title="社保卡挂失")
    assert article.status == "draft"
    assert article.tags == ["社保", "挂失"]
    client.post(f"/knowledge/{article.pk}/edit/", {**data, "publish": "1"})
    article.refresh_from_db()
    assert article.status == "published"
    page = client.get(f"/knowledge/{article.pk}/").content.decode()
    assert "<h1>步骤</h1>" in page
    assert "<script>x()" not in page
    assert "v2" in page and "v1" in page
    assert response.status_code == 302


def test_helpful_votes_are_counted(client_for, agent, contract, password_pair):
    personal, _ = password_pair
    client_for(agent).post(f"/knowledge/{personal.pk}/vote/", {"helpful": "1"})
    personal.refresh_from_db()
    assert personal.helpful_count == 1


def test_clicking_helpful_again_does_not_count_twice_and_a_change_moves_the_vote(
    client_for, agent, pm, contract, password_pair
):
    personal, _ = password_pair
    client = client_for(agent)
    url = f"/knowledge/{personal.pk}/vote/"
    for _ in range(3):
        client.post(url, {"helpful": "1"})
    client_for(pm).post(url, {"helpful": "1"})
    answer = client.post(url, {"helpful": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert "有帮助 (1)" in answer and "没帮助 (1)" in answer
    page = client.get(f"/knowledge/{personal.pk}/").content.decode()
    assert "有帮助 (1)" in page and "没帮助 (1)" in page


def test_portal_visitors_count_once_per_browser_session(agent, contract, portal_site):
    from django.test import Client

    article = create_article(
        contract, title="社保卡挂失", body="x", visibility="public", publish=True, by=agent
    )
    url = f"/portal/{portal_site.slug}/kb/{article.pk}/vote/"
    visitor, other_visitor = Client(), Client()
    first = visitor.post(url, {"helpful": "1"})
    visitor.post(url, {"helpful": "1"})
    other_visitor.post(url, {"helpful": "1"})
    article.refresh_from_db()
    assert article.helpful_count == 2
    assert first.status_code == 302
    assert first.headers["Location"] == f"/portal/{portal_site.slug}/kb/{article.pk}/"


def test_the_portal_vote_buttons_post_to_the_session_counted_endpoint(agent, contract, portal_site):
    from django.template.loader import render_to_string

    article = create_article(
        contract, title="社保卡挂失", body="x", visibility="public", publish=True, by=agent
    )
    html = render_to_string(
        "portal/_article_vote.html", {"site": portal_site, "article": article}
    )
    assert f'action="/portal/{portal_site.slug}/kb/{article.pk}/vote/"' in html


def test_the_portal_takes_no_votes_on_internal_articles(agent, contract, portal_site):
    from django.test import Client

    article = create_article(contract, title="内部口径", body="x", publish=True, by=agent)
    url = f"/portal/{portal_site.slug}/kb/{article.pk}/vote/"
    assert Client().post(url, {"helpful": "1"}).status_code == 404
    article.refresh_from_db()
    assert article.helpful_count == 0


def test_only_project_managers_edit_synonyms(client_for, pm, agent, contract):
    assert client_for(agent).get("/knowledge/synonyms/").status_code == 403
    client_for(pm).post("/knowledge/synonyms/", {"terms": "社保卡, 社会保障卡"})
    assert Synonym.objects.get(contract=contract).terms == ["社保卡", "社会保障卡"]


def test_bureau_members_cannot_open_the_editor(client_for, contract, make_member):
    liaison = make_member(contract, "bureau_liaison")
    assert client_for(liaison).get("/knowledge/new/").status_code == 403


def test_outsiders_see_no_article_pages(client_for, agent, pm, contract, outsider):
    article = create_article(
        contract, title="石龙区内部处理口径", body="机密", publish=True, by=agent
    )
    from weibao.knowledge.services.synonyms import save_synonyms

    group = save_synonyms(contract, ["内部口径甲", "内部口径乙"], by=pm)
    client = client_for(outsider)
    assert_isolated(
        client,
        [
            "/knowledge/",
            "/knowledge/?q=处理口径",
            f"/knowledge/{article.pk}/",
            f"/knowledge/{article.pk}/edit/",
            "/knowledge/synonyms/",
        ],
        secrets=[article.title, "内部口径甲"],
    )
    assert_isolated(
        client,
        [f"/knowledge/{article.pk}/vote/", f"/knowledge/synonyms/{group.pk}/delete/"],
        secrets=[article.title, "内部口径甲"],
        method="post",
    )
    assert Synonym.objects.filter(pk=group.pk).exists()


# --- revisions and history ------------------------------------------------------------


def test_saving_a_draft_of_a_published_article_leaves_readers_on_the_published_text(
    client_for, agent, contract, liaison, portal_site
):
    article = create_article(
        contract,
        title="社保卡挂失",
        body="拨打12333。",
        visibility="public",
        publish=True,
        by=agent,
    )
    client = client_for(agent)
    editor = client.get(f"/knowledge/{article.pk}/edit/").content.decode()
    assert "读者看到的仍是已发布的版本" in editor
    data = {
        "title": "社保卡挂失",
        "body": "改为在小程序上挂失。",
        "tags": "",
        "visibility": "public",
    }
    client.post(f"/knowledge/{article.pk}/edit/", {**data, "draft": "1"})

    portal = (
        client_for(liaison).get(f"/portal/{portal_site.slug}/kb/{article.pk}/").content.decode()
    )
    assert "拨打12333" in portal and "小程序" not in portal
    bureau = client_for(liaison).get(f"/knowledge/{article.pk}/").content.decode()
    assert "拨打12333" in bureau and "小程序" not in bureau
    own = client.get(f"/knowledge/{article.pk}/").content.decode()
    assert "待发布的修订 v2" in own
    assert "改为在小程序上挂失" in client.get(f"/knowledge/{article.pk}/edit/").content.decode()

    client.post(f"/knowledge/{article.pk}/edit/", {**data, "publish": "1"})
    portal = (
        client_for(liaison).get(f"/portal/{portal_site.slug}/kb/{article.pk}/").content.decode()
    )
    assert "改为在小程序上挂失" in portal


def test_an_old_version_is_shown_rendered_and_restored_after_confirmation(
    client_for, agent, contract
):
    article = create_article(contract, title="预约取号", body="# 第一版\n到窗口取号。", by=agent)
    update_article(article, body="# 第二版\n线上取号。", publish=True, by=agent)
    client = client_for(agent)

    history = client.get(f"/knowledge/{article.pk}/history/").content.decode()
    assert "v1" in history and "当前发布" in history
    version = client.get(f"/knowledge/{article.pk}/versions/1/").content.decode()
    assert "<h1>第一版</h1>" in version

    confirm = client.get(f"/knowledge/{article.pk}/versions/1/restore/")
    assert "确认恢复" in confirm.content.decode()
    assert article.versions.count() == 2  # nothing happens before the confirmation

    restored = client.post(f"/knowledge/{article.pk}/versions/1/restore/")
    assert restored.headers["Location"] == f"/knowledge/{article.pk}/edit/"
    assert "到窗口取号" in client.get(restored.headers["Location"]).content.decode()
    article.refresh_from_db()
    assert "线上取号" in article.body  # still live until the restored draft is published
    history = client.get(f"/knowledge/{article.pk}/history/").content.decode()
    assert "恢复自 v1" in history and "待发布修订" in history


def test_bureau_members_see_no_version_history(client_for, agent, contract, liaison):
    article = create_article(contract, title="预约取号", body="草稿里的内部说法", by=agent)
    update_article(article, body="对外的说法", publish=True, by=agent)
    client = client_for(liaison)
    assert "草稿里的内部说法" not in client.get(f"/knowledge/{article.pk}/").content.decode()
    assert client.get(f"/knowledge/{article.pk}/history/").status_code == 403
    assert client.get(f"/knowledge/{article.pk}/versions/1/").status_code == 403
    assert client.post(f"/knowledge/{article.pk}/versions/1/restore/").status_code == 403


# --- an article from a resolved ticket -------------------------------------------------


def test_the_ticket_page_offers_an_article_once_the_ticket_is_resolved(
    client_for, agent, liaison, open_ticket, engineer
):
    from weibao.servicedesk.services import tickets

    page = f"/tickets/{open_ticket.pk}/"
    assert "生成知识文章" not in client_for(agent).get(page).content.decode()
    tickets.transition(open_ticket, "resolved", by=engineer, comment="重装驱动后恢复。")
    offered = client_for(agent).get(page).content.decode()
    assert "生成知识文章" in offered
    assert f'action="/knowledge/from-ticket/{open_ticket.pk}/"' in offered
    assert "csrfmiddlewaretoken" in offered.split("kb-from-ticket")[1].split("</form>")[0]
    assert "生成知识文章" not in client_for(liaison).get(page).content.decode()


def test_making_an_article_from_a_ticket_opens_the_new_draft_in_the_editor(
    client_for, agent, resolved_ticket
):
    response = client_for(agent).post(f"/knowledge/from-ticket/{resolved_ticket.pk}/")
    article = Article.objects.get(source_ticket=resolved_ticket)
    assert response.headers["Location"] == f"/knowledge/{article.pk}/edit/"
    editor = client_for(agent).get(response.headers["Location"]).content.decode()
    assert "U盾插上没反应" in editor and "重新安装证书驱动" in editor
    assert "13812345678" not in editor
    detail = client_for(agent).get(f"/knowledge/{article.pk}/").content.decode()
    assert resolved_ticket.number in detail
    ticket_page = client_for(agent).get(f"/tickets/{resolved_ticket.pk}/").content.decode()
    assert f'href="/knowledge/{article.pk}/"' in ticket_page  # no second article by mistake


def test_an_article_from_a_ticket_needs_csrf(agent, resolved_ticket):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    session = client.session
    session["weibao_otp_verified"] = True
    session.save()
    assert client.post(f"/knowledge/from-ticket/{resolved_ticket.pk}/").status_code == 403
    assert not Article.objects.exists()


def test_an_open_ticket_stays_where_it_is_with_the_reason(client_for, agent, open_ticket):
    client = client_for(agent)
    response = client.post(f"/knowledge/from-ticket/{open_ticket.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == f"/tickets/{open_ticket.pk}/"
    assert "只有已解决或已关闭的工单才能生成知识文章" in response.content.decode()
    assert not Article.objects.exists()


def test_bureau_members_cannot_make_articles_from_tickets(client_for, liaison, resolved_ticket):
    response = client_for(liaison).post(f"/knowledge/from-ticket/{resolved_ticket.pk}/")
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_outsiders_reach_no_ticket_history_or_version(
    client_for, agent, contract, outsider, resolved_ticket, portal_site
):
    article = create_article(
        contract, title="石龙区内部处理口径", body="机密", publish=True, by=agent
    )
    client = client_for(outsider)
    assert_isolated(
        client,
        [
            f"/knowledge/{article.pk}/history/",
            f"/knowledge/{article.pk}/versions/1/",
            f"/knowledge/{article.pk}/versions/1/restore/",
        ],
        secrets=[article.title, "机密"],
    )
    assert_isolated(
        client,
        [
            f"/knowledge/from-ticket/{resolved_ticket.pk}/",
            f"/knowledge/{article.pk}/versions/1/restore/",
            f"/portal/{portal_site.slug}/kb/{article.pk}/vote/",
        ],
        secrets=[article.title, resolved_ticket.subject, "机密"],
        method="post",
    )
    assert not Article.objects.filter(source_ticket=resolved_ticket).exists()
    assert article.versions.count() == 1


def test_an_office_sharing_one_address_is_not_cut_off_after_thirty_votes(agent, contract, portal_site):
    from django.test import Client

    article = create_article(
        contract, title="社保卡挂失", body="x", visibility="public", publish=True, by=agent
    )
    url = f"/portal/{portal_site.slug}/kb/{article.pk}/vote/"
    for _ in range(35):  # 35 colleagues behind the bureau's one public address
        Client().post(url, {"helpful": "1"})
    article.refresh_from_db()
    assert article.helpful_count == 35


def test_a_vote_over_the_limit_is_not_counted_and_the_visitor_is_told(
    agent, contract, portal_site, monkeypatch
):
    from datetime import timedelta

    from django.test import Client

    from weibao.portal import services as portal

    monkeypatch.setattr(portal, "VOTE_LIMIT", (1, timedelta(hours=1)))
    article = create_article(
        contract, title="社保卡挂失", body="x", visibility="public", publish=True, by=agent
    )
    url = f"/portal/{portal_site.slug}/kb/{article.pk}/vote/"
    counted = Client().post(url, {"helpful": "1"}, follow=True).content.decode()
    assert "感谢您的反馈" in counted
    refused = Client().post(url, {"helpful": "1"}, follow=True).content.decode()
    assert "本次反馈未计入" in refused and "感谢您的反馈" not in refused
    article.refresh_from_db()
    assert article.helpful_count == 1


def test_an_htmx_portal_vote_gets_no_staff_form(agent, contract, portal_site):
    from django.test import Client

    article = create_article(
        contract, title="社保卡挂失", body="x", visibility="public", publish=True, by=agent
    )
    url = f"/portal/{portal_site.slug}/kb/{article.pk}/vote/"
    answer = Client().post(url, {"helpful": "1"}, HTTP_HX_REQUEST="true", follow=True)
    assert f"/knowledge/{article.pk}/vote/" not in answer.content.decode()
    assert "knowledge/_vote_form.html" not in [t.name for t in answer.templates]
    assert answer.redirect_chain[-1][0] == f"/portal/{portal_site.slug}/kb/{article.pk}/"
