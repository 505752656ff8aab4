import pytest

from weibao.knowledge.services import create_article
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/knowledge/articles/"
SEARCH = "/api/v1/knowledge/search/"


def _payload(the_contract, **overrides):
    data = {
        "contract": the_contract.pk,
        "title": "U盾登录失败的排查",
        "body": "请安装证书驱动。",
        "tags": ["U盾", "登录"],
        "visibility": "internal",
    }
    data.update(overrides)
    return data


def test_an_agent_adds_an_article_and_finds_it_by_a_synonym(api_client_for, agent, contract):
    client = api_client_for(agent)
    created = client.post(ARTICLES, _payload(contract), format="json")
    assert created.status_code == 201, created.content
    found = client.get(SEARCH, {"contract": contract.pk, "q": "数字证书登不上"})
    assert found.status_code == 200
    results = found.json()["results"]
    assert results[0]["id"] == created.json()["id"]
    assert set(results[0]) == {"id", "title", "score"}


def test_search_returns_at_most_twenty_results(api_client_for, agent, contract):
    for n in range(25):
        create_article(contract, title=f"公积金提取第{n}问", publish=True, by=agent)
    found = api_client_for(agent).get(SEARCH, {"contract": contract.pk, "q": "公积金"})
    assert len(found.json()["results"]) == 20


def test_bureau_members_may_read_but_not_write(api_client_for, contract, make_member):
    liaison = make_member(contract, "bureau_liaison")
    response = api_client_for(liaison).post(ARTICLES, _payload(contract), format="json")
    assert response.status_code == 404
    assert "contract" in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"contract": "1"}, "q"),
        ({"contract": "1", "q": "   "}, "q"),
        ({"q": "密码"}, "contract"),
        ({"q": "密码", "contract": "abc"}, "contract"),
    ],
)
def test_search_names_the_bad_parameter(api_client_for, agent, contract, params, field):
    params = {k: (str(contract.pk) if v == "1" else v) for k, v in params.items()}
    response = api_client_for(agent).get(SEARCH, params)
    assert response.status_code == 400
    assert field in response.json()


def test_searching_a_contract_one_is_not_on_looks_like_it_does_not_exist(
    api_client_for, agent, other_contract
):
    response = api_client_for(agent).get(SEARCH, {"q": "密码", "contract": other_contract.pk})
    assert response.status_code == 404
    assert "contract" in response.json()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visibility": "everyone"}, "visibility"),
        ({"tags": "U盾"}, "tags"),
        ({"title": ""}, "title"),
        ({"colour": "red"}, "colour"),
        ({"contract": "x"}, "contract"),
    ],
)
def test_article_creation_names_the_bad_field(api_client_for, agent, contract, overrides, field):
    response = api_client_for(agent).post(ARTICLES, _payload(contract, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_outsiders_see_nothing_of_the_knowledge_base(
    api_client_for, agent, contract, outsider, other_contract
):
    article = create_article(
        contract, title="石龙区内部处理口径", body="机密", publish=True, by=agent
    )
    client = api_client_for(outsider)
    assert_isolated(
        client,
        [ARTICLES, f"{ARTICLES}{article.pk}/", f"{SEARCH}?contract={contract.pk}&q=处理口径"],
        secrets=[article.title],
    )
    assert_isolated(
        client, [f"{SEARCH}?contract={other_contract.pk}&q=处理口径"], secrets=[article.title]
    )
    assert_isolated(
        client, [ARTICLES], secrets=[article.title], method="post", data=_payload(contract)
    )
