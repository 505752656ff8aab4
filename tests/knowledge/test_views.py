import pytest

from weibao.knowledge.models import Article, Synonym
from weibao.knowledge.services import article_from_ticket, create_article
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db


def test_typing_a_question_shows_live_results(client_for, agent, contract, password_pair):
    response = client_for(agent).get("/knowledge/", {"q": "企业密码忘了"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
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
    client_for(agent).post(f"/knowledge/{personal.pk}/feedback/", {"helpful": "1"})
    personal.refresh_from_db()
    assert personal.helpful_count == 1


def test_only_project_managers_edit_synonyms(client_for, pm, agent, contract):
    assert client_for(agent).get("/knowledge/synonyms/").status_code == 403
    client_for(pm).post("/knowledge/synonyms/", {"terms": "社保卡, 社会保障卡"})
    assert Synonym.objects.get(contract=contract).terms == ["社保卡", "社会保障卡"]


def test_bureau_members_cannot_open_the_editor(client_for, contract, make_member):
    liaison = make_member(contract, "bureau_liaison")
    assert client_for(liaison).get("/knowledge/new/").status_code == 403


def test_a_resolved_ticket_becomes_a_draft_article(agent, contract):
    class Reply:
        body = "请重新安装证书驱动。"

    class Ticket:
        pk = 42
        subject = "U盾插上没反应"
        description = "群众反映U盾登录提示未检测到证书。"
        replies = [Reply()]

    Ticket.contract = contract
    article = article_from_ticket(Ticket(), by=agent)
    assert article.source_ticket == 42
    assert article.status == "draft"
    assert "请重新安装证书驱动" in article.body


def test_outsiders_see_no_article_pages(client_for, agent, pm, contract, outsider):
    article = create_article(
        contract, title="石龙区内部处理口径", body="机密", publish=True, by=agent
    )
    from weibao.knowledge.services import save_synonyms

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
        [f"/knowledge/{article.pk}/feedback/", f"/knowledge/synonyms/{group.pk}/delete/"],
        secrets=[article.title, "内部口径甲"],
        method="post",
    )
    assert Synonym.objects.filter(pk=group.pk).exists()
