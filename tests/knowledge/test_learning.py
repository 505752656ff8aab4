"""Learning from use (issue 18): what agents and citizens used for a question raises the
article for later, similar questions on the same contract, bounded; and the PM's misses."""

import pytest

from weibao.knowledge.models import SearchLog, SearchUse
from weibao.knowledge.search import search
from weibao.knowledge.services import learning
from weibao.knowledge.services.articles import create_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(contract, agent):
    """Two articles a lost-card question matches; the text alone prefers the first."""
    first = create_article(contract, title="社会保障卡丢失挂失", body="社会保障卡丢失后挂失。", publish=True, by=agent)
    second = create_article(contract, title="社会保障卡补办", body="挂失后补办社会保障卡。", publish=True, by=agent)
    return first, second


def _ids(hits):
    return [hit.id for hit in hits]


def test_hotline_suggestion_clicks_change_later_rankings(client_for, contract, make_member, agent, cards):
    first, second = cards
    assert _ids(search(agent, contract, "社保卡丢了怎么办"))[0] == first.pk
    for _ in range(3):
        colleague = make_member(contract, "hotline_agent")
        response = client_for(colleague).post(
            f"/knowledge/{second.pk}/use/", {"q": "社保卡丢了怎么办啊", "source": "hotline"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
    hits = search(agent, contract, "社保卡丢了咋办")  # similar, not the same words
    assert hits[0].id == second.pk
    assert hits[0].learned


def test_one_noisy_click_cannot_hijack_a_query(contract, agent, cards):
    first, second = cards
    noise = create_article(contract, title="结婚登记预约", body="社保卡不需要。", publish=True, by=agent)
    unrelated = create_article(contract, title="护照首次申领", body="出入境窗口。", publish=True, by=agent)
    learning.record_use(contract, "社保卡丢了怎么办", noise, action=SearchUse.Action.USED, actor="u999")
    learning.record_use(contract, "社保卡丢了怎么办", unrelated, action=SearchUse.Action.USED, actor="u999")
    hits = search(agent, contract, "社保卡丢了怎么办")
    assert hits[0].id == first.pk
    # An article the words do not match is not brought in by one person ...
    assert unrelated.pk not in _ids(hits)
    # ... but is by several (and then still below a clear match of the words).
    learning.record_use(contract, "社保卡丢了怎么办", unrelated, action=SearchUse.Action.USED, actor="u998")
    learning.record_use(contract, "社保卡丢了怎么办", unrelated, action=SearchUse.Action.USED, actor="u997")
    hits = search(agent, contract, "社保卡丢了怎么办")
    assert unrelated.pk in _ids(hits)
    assert hits[0].id == first.pk


def test_the_same_person_clicking_again_counts_once(contract, agent, cards):
    first, second = cards
    assert learning.record_use(contract, "社保卡丢了", second, action="used", actor="u1")
    assert not learning.record_use(contract, "社保卡丢了", second, action="used", actor="u1")
    assert SearchUse.objects.count() == 1
    boost, _ = learning.boosts_for(contract.pk, "社保卡丢了")[second.pk]
    assert 0 < boost < learning.MAX_BOOST / 2


def test_uses_on_another_contract_teach_nothing_here(contract, other_contract, make_member, agent, cards):
    first, second = cards
    other_agent = make_member(other_contract, "hotline_agent")
    mine = create_article(other_contract, title="社会保障卡补办", body="补办。", publish=True, by=other_agent)
    for n in range(5):
        learning.record_use(other_contract, "社保卡丢了怎么办", mine, action="used", actor=f"u{n}")
    assert learning.boosts_for(contract.pk, "社保卡丢了怎么办") == {}
    assert _ids(search(agent, contract, "社保卡丢了怎么办"))[0] == first.pk


def test_using_an_article_needs_a_question_and_a_readable_article(client_for, agent, outsider, cards):
    first, _ = cards
    assert client_for(agent).post(f"/knowledge/{first.pk}/use/", {"q": ""}).status_code == 400
    assert client_for(outsider).post(f"/knowledge/{first.pk}/use/", {"q": "社保卡"}).status_code == 404
    assert client_for(agent).get(f"/knowledge/{first.pk}/use/").status_code == 405
    assert not SearchUse.objects.exists()


def test_opening_an_article_from_results_is_weak_evidence(client_for, contract, agent, cards):
    first, second = cards
    assert client_for(agent).get(f"/knowledge/{second.pk}/", {"q": "社保卡丢了"}).status_code == 200
    use = SearchUse.objects.get()
    assert (use.action, use.article_id, use.actor) == ("opened", second.pk, f"u{agent.pk}")
    boost, may_add = learning.boosts_for(contract.pk, "社保卡丢了")[second.pk]
    assert boost < 0.1 and not may_add


def test_the_pm_sees_what_people_searched_for_and_did_not_find(client_for, contract, pm, agent, outsider, cards):
    client_for(agent).get("/knowledge/", {"q": "良民证怎么开"})
    client_for(agent).get("/knowledge/", {"q": "良民证怎么开"})
    client_for(agent).get("/knowledge/", {"q": "社保卡丢了"})
    client_for(agent).get("/knowledge/", {"q": "还有没有"}, HTTP_HX_REQUEST="true")  # a keystroke
    client_for(outsider).get("/knowledge/", {"q": "外合同的未命中问题"})
    assert SearchLog.objects.filter(contract=contract).count() == 3
    page = client_for(pm).get("/knowledge/searches/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "良民证怎么开" in body and "外合同的未命中问题" not in body
    assert "还有没有" not in body
    assert client_for(agent).get("/knowledge/searches/").status_code == 403
    assert client_for(outsider).get("/knowledge/searches/").content.decode().count("良民证") == 0


def test_results_say_why_they_matched_and_what_was_corrected(client_for, contract, agent):
    create_article(contract, title="住房公积金购房提取", body="购房后提取公积金。", publish=True, by=agent)
    create_article(contract, title="不动产抵押权注销登记", body="房贷还清后注销抵押。", publish=True, by=agent)
    body = client_for(agent).get("/knowledge/", {"q": "公基金买房"}, HTTP_HX_REQUEST="true").content.decode()
    assert "“公基金”→“公积金”" in body
    assert "<mark>公积金</mark>" in body
    body = client_for(agent).get("/knowledge/", {"q": "解押"}, HTTP_HX_REQUEST="true").content.decode()
    assert "“解押”按“抵押注销”理解" in body


def test_hotline_suggestions_explain_and_offer_to_use_the_article(client_for, contract, agent, cards):
    first, _ = cards
    body = client_for(agent).get("/hotline/suggest/", {"question": "社保卡丢了"}).content.decode()
    assert "用这篇回答" in body and f"/knowledge/{first.pk}/use/" in body
    assert "匹配：" in body


def test_numbers_callers_type_are_not_kept_and_reading_misses_is_audited(client_for, contract, pm, agent):
    from weibao.audit.models import AuditRecord

    client_for(agent).get("/knowledge/", {"q": "身份证110101199003071234补办"})
    assert SearchLog.objects.get().query == "身份证***补办"
    client_for(pm).get("/knowledge/searches/")
    assert AuditRecord.objects.filter(action="knowledge.search_misses_viewed", contract=contract).count() == 1


def test_the_api_says_why_and_what_was_corrected(api_client_for, contract, agent):
    create_article(contract, title="住房公积金购房提取", body="购房后提取公积金。", publish=True, by=agent)
    response = api_client_for(agent).get("/api/v1/knowledge/search/", {"contract": contract.pk, "q": "公基金买房"})
    assert response.status_code == 200
    data = response.json()
    assert data["corrections"] == [{"typed": "公基金", "read": "公积金"}]
    assert "公积金" in data["results"][0]["matched"]
    assert SearchLog.objects.get().source == "api"


def test_demo_search_misses_load_twice_without_doubling(contract):
    from weibao.demo.knowledge import DEMO_MISSES, _search_log

    _search_log(contract)
    _search_log(contract)
    assert SearchLog.objects.filter(contract=contract).count() == len(DEMO_MISSES)
