import pytest
from django.core.exceptions import ValidationError

from weibao.audit.models import AuditRecord
from weibao.knowledge.models import Article
from weibao.knowledge.search import search, search_public
from weibao.knowledge.services.articles import (
    create_article,
    pending_revision,
    restore_version,
    update_article,
)
from weibao.knowledge.services.from_ticket import article_from_ticket
from weibao.knowledge.services.votes import record_vote, vote_of

pytestmark = pytest.mark.django_db


def _live(article) -> Article:
    return Article.objects.get(pk=article.pk)


# --- an article from a resolved ticket ------------------------------------------------


def test_a_resolved_ticket_becomes_a_linked_draft_with_question_and_fix(resolved_ticket, agent):
    article = article_from_ticket(resolved_ticket, by=agent)
    assert article.status == "draft"
    assert article.title == "U盾插上没反应"
    assert _live(article).source_ticket == resolved_ticket
    question, fix = article.body.split("## 解决方法")
    assert question.startswith("## 问题")
    assert "U盾登录提示未检测到证书" in question
    assert "重新安装证书驱动" in fix
    assert "更换USB接口并重启浏览器后恢复正常" in fix


def test_an_article_from_a_ticket_leaves_out_notes_and_the_requesters_words(resolved_ticket, agent):
    body = article_from_ticket(resolved_ticket, by=agent).body
    assert "疑似驱动版本过旧" not in body  # internal note
    assert "装好了还是不行" not in body  # the requester's own reply


def test_an_article_from_a_ticket_carries_no_personal_data(resolved_ticket, agent):
    article = article_from_ticket(resolved_ticket, by=agent)
    for personal in ("张三", "13812345678", "zhangsan@example.cn", "110101199003071234"):
        assert personal not in article.body
        assert personal not in article.title


def test_a_closed_ticket_may_become_an_article(resolved_ticket, agent, engineer):
    from weibao.servicedesk.services import tickets

    tickets.transition(resolved_ticket, "closed", by=engineer)
    resolved_ticket.refresh_from_db()
    assert article_from_ticket(resolved_ticket, by=agent).status == "draft"


def test_an_unresolved_ticket_cannot_become_an_article(open_ticket, agent):
    with pytest.raises(ValidationError) as refused:
        article_from_ticket(open_ticket, by=agent)
    assert "已解决或已关闭" in refused.value.message_dict["ticket"][0]
    assert not Article.objects.exists()


def test_only_the_vendor_team_makes_articles_from_tickets(resolved_ticket, liaison):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        article_from_ticket(resolved_ticket, by=liaison)


# --- revisions of a published article -------------------------------------------------


def test_editing_a_published_article_keeps_the_live_text_until_the_revision_is_published(
    agent, contract
):
    article = create_article(
        contract,
        title="社保卡挂失",
        body="拨打12333。",
        visibility="public",
        publish=True,
        by=agent,
    )
    update_article(article, title="社保卡挂失（新）", body="在小程序上挂失。", by=agent)

    live = _live(article)
    assert (live.title, live.body, live.status) == ("社保卡挂失", "拨打12333。", "published")
    assert [h.title for h in search_public(contract, "社保卡挂失")] == ["社保卡挂失"]
    assert [h.title for h in search(agent, contract, "社保卡挂失")] == ["社保卡挂失"]
    revision = pending_revision(live)
    assert (revision.title, revision.body) == ("社保卡挂失（新）", "在小程序上挂失。")

    update_article(live, publish=True, by=agent)
    live = _live(article)
    assert (live.title, live.body) == ("社保卡挂失（新）", "在小程序上挂失。")
    assert pending_revision(live) is None
    assert [h.title for h in search_public(contract, "社保卡挂失")] == ["社保卡挂失（新）"]


def test_a_second_edit_continues_the_pending_revision(agent, contract):
    article = create_article(contract, title="公积金提取", body="旧", publish=True, by=agent)
    update_article(article, body="新的第一稿", by=agent)
    update_article(_live(article), tags=["公积金"], by=agent)
    revision = pending_revision(_live(article))
    assert (revision.body, revision.tags) == ("新的第一稿", ["公积金"])
    assert _live(article).body == "旧"


def test_a_revision_making_an_article_public_waits_for_publication(agent, contract):
    article = create_article(contract, title="内部口径：证照调用", body="x", publish=True, by=agent)
    update_article(article, visibility="public", by=agent)
    assert search_public(contract, "证照调用") == []
    update_article(_live(article), publish=True, by=agent)
    assert [h.title for h in search_public(contract, "证照调用")] == ["内部口径：证照调用"]


def test_restoring_an_old_version_of_a_published_article_makes_an_audited_pending_draft(
    agent, contract
):
    article = create_article(contract, title="预约取号", body="第一版", publish=True, by=agent)
    update_article(article, body="第二版", publish=True, by=agent)
    first = article.versions.get(number=1)

    restore_version(_live(article), first, by=agent)

    live = _live(article)
    assert live.body == "第二版"
    revision = pending_revision(live)
    assert (revision.body, revision.restored_from) == ("第一版", 1)
    record = AuditRecord.objects.filter(action="knowledge.article_updated").latest("id")
    assert record.detail == {"restored_from_version": 1}


def test_restoring_a_draft_article_takes_the_old_text_at_once(agent, contract):
    article = create_article(contract, title="预约取号", body="第一版", by=agent)
    update_article(article, body="第二版", by=agent)
    restore_version(_live(article), article.versions.get(number=1), by=agent)
    assert _live(article).body == "第一版"
    assert _live(article).versions.count() == 3


# --- "was this helpful" ---------------------------------------------------------------


def test_a_member_counts_once_per_article_and_may_change_the_answer(agent, contract, pm):
    article = create_article(contract, title="社保卡挂失", publish=True, by=agent)
    for _ in range(3):
        record_vote(article, helpful=True, user=agent)
    assert (_live(article).helpful_count, _live(article).not_helpful_count) == (1, 0)
    record_vote(article, helpful=False, user=agent)
    assert (_live(article).helpful_count, _live(article).not_helpful_count) == (0, 1)
    record_vote(article, helpful=False, user=pm)
    assert (_live(article).helpful_count, _live(article).not_helpful_count) == (0, 2)
    assert vote_of(article, user=agent) is False


def test_a_portal_visitor_counts_once_per_browser_session(agent, contract):
    article = create_article(contract, title="社保卡挂失", publish=True, by=agent)
    record_vote(article, helpful=True, session_key="browser-a")
    record_vote(article, helpful=True, session_key="browser-a")
    record_vote(article, helpful=True, session_key="browser-b")
    assert _live(article).helpful_count == 2


def test_counts_from_before_votes_were_recorded_are_kept(agent, contract):
    article = create_article(contract, title="社保卡挂失", publish=True, by=agent)
    Article.objects.filter(pk=article.pk).update(helpful_count=7)
    record_vote(article, helpful=True, user=agent)
    record_vote(article, helpful=False, user=agent)
    assert (_live(article).helpful_count, _live(article).not_helpful_count) == (7, 1)


def test_an_edit_does_not_undo_votes_counted_while_it_was_open(agent, contract, pm):
    article = create_article(contract, title="社保卡挂失", publish=True, by=agent)
    opened_in_editor = Article.objects.get(pk=article.pk)
    record_vote(article, helpful=True, user=pm)
    update_article(opened_in_editor, body="新的说明", publish=True, by=agent)
    assert _live(article).helpful_count == 1


def test_a_shared_article_does_not_reveal_its_source_ticket_on_another_contract(
    resolved_ticket, agent, contract, make_member, client_for, api_client_for
):
    from weibao.knowledge.services.sharing import share_knowledge
    from weibao.testing.factories import ContractFactory, MembershipFactory

    article = update_article(article_from_ticket(resolved_ticket, by=agent), by=agent, publish=True, shared=True)
    sister = ContractFactory(party_b=contract.party_b)  # the same vendor's other contract
    sister_agent = make_member(sister, "hotline_agent")
    pm = make_member(contract, "project_manager")
    MembershipFactory(contract=sister, user=pm, role="project_manager")
    share_knowledge(contract, sister, by=pm)
    page = client_for(sister_agent).get(f"/knowledge/{article.pk}/").content.decode()
    assert article.title in page and resolved_ticket.number not in page
    api = api_client_for(sister_agent).get(f"/api/v1/knowledge/articles/{article.pk}/").json()
    assert api["source_ticket"] is None
    own = client_for(agent).get(f"/knowledge/{article.pk}/").content.decode()
    assert resolved_ticket.number in own
    assert api_client_for(agent).get(f"/api/v1/knowledge/articles/{article.pk}/").json()["source_ticket"] == resolved_ticket.pk


def test_a_double_submit_makes_one_draft_not_two(resolved_ticket, agent, clock):
    from datetime import timedelta

    first = article_from_ticket(resolved_ticket, by=agent)
    assert article_from_ticket(resolved_ticket, by=agent).pk == first.pk
    clock.advance(timedelta(minutes=3))  # later, on purpose: a second draft is allowed
    assert article_from_ticket(resolved_ticket, by=agent).pk != first.pk
