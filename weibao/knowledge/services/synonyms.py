"""Synonym groups (同义词) a contract's project manager keeps for search: saving one
re-segments the articles that contain its words."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.knowledge import text
from weibao.knowledge.models import Article, Synonym
from weibao.knowledge.search import bump_generation


def _clean_terms(terms) -> list[str]:
    if isinstance(terms, str):
        terms = terms.replace("，", ",").replace("/", ",").replace("、", ",").split(",")
    if not isinstance(terms, list | tuple) or not all(isinstance(t, str) for t in terms):
        raise ValidationError({"terms": _("同义词应为字符串列表。")})
    cleaned = list(dict.fromkeys(text.normalize(t).strip() for t in terms if t.strip()))
    if len(cleaned) < 2:
        raise ValidationError({"terms": _("一组同义词至少要有两个词。")})
    if any(len(t) > 30 for t in cleaned):
        raise ValidationError({"terms": _("每个词最多 30 个字。")})
    return cleaned


@transaction.atomic
def save_synonyms(contract, terms, *, by, group: Synonym | None = None) -> Synonym:
    """Add or change a synonym group; articles that contain its words are re-segmented."""
    require(by, contract.pk, Capability.MANAGE_KNOWLEDGE, _("只有项目经理可以维护同义词。"))
    cleaned = _clean_terms(terms)
    before = list(group.terms) if group else None
    if group is None:
        group = Synonym(contract=contract, created_by=by)
    group.terms = cleaned
    group.updated_at = clock.now()
    group.save()
    _reindex_containing(contract, cleaned)
    audit.record(
        "knowledge.synonyms_saved",
        obj=group,
        actor=by,
        contract=contract,
        before={"terms": before} if before else None,
        after={"terms": cleaned},
    )
    return group


@transaction.atomic
def delete_synonyms(group: Synonym, *, by) -> None:
    require(by, group.contract_id, Capability.MANAGE_KNOWLEDGE, _("只有项目经理可以维护同义词。"))
    audit.record(
        "knowledge.synonyms_deleted",
        obj=group,
        actor=by,
        contract=group.contract,
        before={"terms": group.terms},
    )
    group.delete()


def _reindex_containing(contract, terms: list[str]) -> None:
    """New words change how text is cut; re-segment the articles that use them."""
    text.ensure_words(terms)
    match = Q()
    for term in terms:
        match |= Q(title__icontains=term) | Q(body__icontains=term)
    for article in Article.objects.for_contract(contract).filter(match):
        article.search_terms = text.document_terms(article.title, article.tags, article.body)
        article.save(update_fields=["search_terms"])
    bump_generation(contract)
