"""Cross-contract knowledge sharing follows an explicit, audited decision of the owning
contract's project manager (a share to a named contract), never a match on the free-text
vendor name (乙方, ``party_b``) that a system administrator can edit."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from weibao.audit.models import AuditRecord
from weibao.contracts.middleware import SESSION_KEY
from weibao.knowledge.models import Article, KnowledgeShare
from weibao.knowledge.search import search, search_public
from weibao.knowledge.services.articles import create_article
from weibao.knowledge.services.sharing import share_knowledge, unshare_knowledge
from weibao.portal.models import PortalSite
from weibao.testing.factories import ContractFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sister(contract):
    """Another contract of the same vendor (the same 乙方 text)."""
    return ContractFactory(number="HT-SISTER-01", party_b=contract.party_b)


@pytest.fixture
def sister_agent(sister, make_member):
    return make_member(sister, "hotline_agent", username="sister_agent")


@pytest.fixture
def pm_of_both(pm, sister):
    MembershipFactory(contract=sister, user=pm, role="project_manager")
    return pm


@pytest.fixture
def shared_article(contract, agent):
    return create_article(contract, title="公积金提取办法", body="携带身份证到窗口办理。", shared=True,
                          publish=True, by=agent)


def _reads(user, article) -> bool:
    return Article.objects.visible_to(user).filter(pk=article.pk).exists()


def test_the_same_vendor_name_alone_shares_nothing(shared_article, sister, sister_agent, client_for):
    assert not _reads(sister_agent, shared_article)
    assert search(sister_agent, sister, "公积金提取") == []
    assert client_for(sister_agent).get(f"/knowledge/{shared_article.pk}/").status_code == 404


def test_editing_a_contracts_vendor_name_does_not_widen_who_reads_shared_articles(
    shared_article, contract, pm_of_both, sister, make_member
):
    share_knowledge(contract, sister, by=pm_of_both)
    stranger = ContractFactory(party_b="别的信息技术有限公司")
    stranger_agent = make_member(stranger, "hotline_agent")
    stranger.party_b = contract.party_b  # what a system administrator could type
    stranger.save(update_fields=["party_b"])
    assert not _reads(stranger_agent, shared_article)
    assert search(stranger_agent, stranger, "公积金提取") == []


def test_a_share_lets_the_named_contract_read_and_find_only_shared_articles(
    shared_article, contract, agent, pm_of_both, sister, sister_agent, client_for
):
    internal = create_article(contract, title="公积金余额查询", body="", publish=True, by=agent)
    share_knowledge(contract, sister, by=pm_of_both)
    assert _reads(sister_agent, shared_article) and not _reads(sister_agent, internal)
    assert [hit.title for hit in search(sister_agent, sister, "公积金")] == ["公积金提取办法"]
    assert client_for(sister_agent).get(f"/knowledge/{shared_article.pk}/").status_code == 200
    record = AuditRecord.objects.get(action="knowledge.share_granted")
    assert (record.actor, record.contract_id, record.detail) == (
        pm_of_both, contract.pk, {"reader": sister.pk, "reader_number": "HT-SISTER-01"})


def test_revoking_a_share_hides_the_articles_again_and_is_audited(
    shared_article, contract, pm_of_both, sister, sister_agent
):
    share_knowledge(contract, sister, by=pm_of_both)
    assert search(sister_agent, sister, "公积金提取")
    unshare_knowledge(contract, sister, by=pm_of_both)
    assert not _reads(sister_agent, shared_article)
    assert search(sister_agent, sister, "公积金提取") == []
    assert AuditRecord.objects.filter(action="knowledge.share_revoked", contract=contract).count() == 1


def test_sharing_is_one_way(shared_article, contract, agent, pm_of_both, sister, sister_agent):
    share_knowledge(contract, sister, by=pm_of_both)
    theirs = create_article(sister, title="不动产登记", shared=True, publish=True, by=sister_agent)
    assert not _reads(agent, theirs)


def test_only_the_owning_contracts_project_manager_shares(contract, agent, sister, make_member):
    MembershipFactory(contract=sister, user=agent, role="hotline_agent")
    with pytest.raises(PermissionDenied):
        share_knowledge(contract, sister, by=agent)
    assert not KnowledgeShare.objects.exists()


def test_a_contract_the_manager_does_not_work_on_is_refused_like_one_that_does_not_exist(
    contract, pm, other_contract
):
    with pytest.raises(ValidationError) as foreign:
        share_knowledge(contract, other_contract, by=pm)
    with pytest.raises(ValidationError) as missing:
        share_knowledge(contract, None, by=pm)
    assert foreign.value.message_dict == missing.value.message_dict
    assert list(foreign.value.message_dict) == ["reader"]
    with pytest.raises(ValidationError):
        share_knowledge(contract, contract, by=pm)
    assert not KnowledgeShare.objects.exists()


def test_the_portal_of_a_reader_shows_shared_public_articles_only_after_a_share(
    contract, agent, pm_of_both, sister
):
    article = create_article(contract, title="公积金提取指南", visibility="public", shared=True, publish=True,
                             by=agent)
    PortalSite.objects.create(contract=sister, slug="sister", title="姊妹门户")
    citizen = Client()
    assert search_public(sister, "公积金提取") == []
    assert citizen.get(f"/portal/sister/kb/{article.pk}/").status_code == 404
    share_knowledge(contract, sister, by=pm_of_both)
    assert [hit.title for hit in search_public(sister, "公积金提取")] == ["公积金提取指南"]
    assert citizen.get(f"/portal/sister/kb/{article.pk}/").status_code == 200


def test_the_project_manager_grants_and_revokes_on_the_sharing_page(
    shared_article, contract, pm_of_both, sister, client_for, other_contract
):
    web = client_for(pm_of_both)
    session = web.session
    session[SESSION_KEY] = contract.pk  # working in the owning contract
    session.save()
    page = web.get("/knowledge/sharing/").content.decode()
    assert "HT-SISTER-01" in page and other_contract.number not in page
    assert web.post("/knowledge/sharing/", {"reader": str(sister.pk)}).status_code == 302
    assert KnowledgeShare.objects.filter(owner=contract, reader=sister).exists()
    for bad in ["²", "abc", str(other_contract.pk), "99999999999999999999"]:
        response = web.post("/knowledge/sharing/", {"reader": bad})
        assert response.status_code == 400 and 'id="reader-error"' in response.content.decode()
    assert web.post("/knowledge/sharing/", {"reader": str(sister.pk), "revoke": "1"}).status_code == 302
    assert not KnowledgeShare.objects.exists()


def test_others_may_not_open_the_sharing_page(contract, agent, client_for):
    assert client_for(agent).get("/knowledge/sharing/").status_code == 403


def test_the_migration_keeps_todays_sharing_between_contracts_of_one_vendor(
    shared_article, contract, sister, make_member
):
    stranger = ContractFactory(party_b="别的信息技术有限公司")
    quiet = ContractFactory(party_b=contract.party_b)  # shares nothing itself
    migration = import_module("weibao.knowledge.migrations.0005_knowledge_share")
    migration.share_as_before(apps, None)
    pairs = set(KnowledgeShare.objects.values_list("owner_id", "reader_id"))
    assert pairs == {(contract.pk, sister.pk), (contract.pk, quiet.pk)}
    assert stranger.pk not in {reader for _, reader in pairs}
