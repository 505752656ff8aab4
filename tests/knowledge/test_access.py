"""The knowledge services refuse by themselves: whoever calls them (a page, the API, a
task), a user without the capability on the article's contract gets PermissionDenied."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from weibao.knowledge.models import Article, Synonym
from weibao.knowledge.services.articles import create_article, restore_version, update_article
from weibao.knowledge.services.synonyms import delete_synonyms, save_synonyms


@pytest.fixture
def article(contract, agent):
    return create_article(contract, title="社保卡挂失", body="拨打热线挂失。", publish=True, by=agent)


def test_a_bureau_member_cannot_edit_or_restore_an_article(article, contract, make_member):
    liaison = make_member(contract, "bureau_liaison")
    with pytest.raises(PermissionDenied):
        update_article(article, title="改过的标题", publish=True, by=liaison)
    with pytest.raises(PermissionDenied):
        restore_version(article, article.versions.get(), by=liaison)
    article.refresh_from_db()
    assert article.title == "社保卡挂失" and article.versions.count() == 1


def test_a_writer_of_another_contract_cannot_edit_a_shared_article(article, outsider):
    Article.objects.filter(pk=article.pk).update(shared=True)
    with pytest.raises(PermissionDenied):
        update_article(article, body="别的合同写的", publish=True, by=outsider)


def test_only_the_project_manager_keeps_the_synonyms(contract, agent, pm):
    with pytest.raises(PermissionDenied):
        save_synonyms(contract, ["社保卡", "社会保障卡"], by=agent)
    group = save_synonyms(contract, ["社保卡", "社会保障卡"], by=pm)
    with pytest.raises(PermissionDenied):
        delete_synonyms(group, by=agent)
    assert Synonym.objects.filter(pk=group.pk).exists()
