"""Knowledge-base search: one cached in-memory index per vendor, tenancy applied on top.

Why in memory: BM25 needs document frequencies and lengths of the whole collection for
every query; computing them in SQL is slow on SQLite and different on PostgreSQL. The
segmented terms are stored on each article when it is saved, so (re)building an index is
a single read of those rows, never a re-segmentation. A per-vendor ``SearchGeneration``
counter, bumped on every change, tells each worker process when its copy is stale.
See docs/decisions/0005-knowledge-search.md.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import F

from weibao.contracts.scoping import member_contract_ids
from weibao.knowledge import text
from weibao.knowledge.models import Article, SearchGeneration, Synonym
from weibao.knowledge.ranking import Doc, SearchIndex, SynonymTable, parse_query

MAX_RESULTS = 20

_lock = threading.Lock()
_indexes: dict[str, tuple[int, SearchIndex]] = {}


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    score: float


def bump_generation(vendor: str) -> None:
    """Mark the vendor's index stale in every process (call after any article change)."""
    updated = SearchGeneration.objects.filter(vendor=vendor).update(generation=F("generation") + 1)
    if not updated:
        SearchGeneration.objects.get_or_create(vendor=vendor, defaults={"generation": 1})


def _generation(vendor: str) -> int:
    value = (
        SearchGeneration.objects.filter(vendor=vendor).values_list("generation", flat=True).first()
    )
    return value or 0


def build_index(vendor: str) -> SearchIndex:
    index = SearchIndex()
    rows = (
        Article.objects.published()
        .filter(contract__party_b=vendor)
        .order_by("id")
        .values_list("id", "contract_id", "shared", "visibility", "title", "search_terms")
    )
    for article_id, contract_id, shared, visibility, title, terms in rows.iterator(2000):
        doc = Doc(article_id, contract_id, shared, visibility == Article.Visibility.PUBLIC, title)
        index.add(doc, terms or {})
    return index.freeze()


def index_for(vendor: str) -> SearchIndex:
    generation = _generation(vendor)
    cached = _indexes.get(vendor)
    if cached is not None and cached[0] == generation:
        return cached[1]
    with _lock:
        cached = _indexes.get(vendor)
        if cached is not None and cached[0] == generation:
            return cached[1]
        index = build_index(vendor)
        _indexes[vendor] = (generation, index)
        return index


def clear_cache() -> None:
    with _lock:
        _indexes.clear()


def synonym_table(contract_ids) -> SynonymTable:
    groups = list(text.default_synonym_groups())
    groups.extend(
        Synonym.objects.filter(contract_id__in=list(contract_ids)).values_list("terms", flat=True)
    )
    return SynonymTable(groups)


def _search(contract, q: str, *, public_only: bool, limit: int) -> list[Hit]:
    """Published articles of ``contract`` and shared ones of the same vendor."""
    vendor = contract.party_b
    query = parse_query(q, synonym_table([contract.pk]))
    if query.is_empty:
        return []
    index = index_for(vendor)

    def allowed(doc: Doc) -> bool:
        if public_only and not doc.public:
            return False
        return doc.contract_id == contract.pk or doc.shared

    ranked = index.search(query, allowed, limit=limit)
    return [Hit(doc.article_id, doc.title, round(score, 4)) for doc, score in ranked]


def search(user, contract, q: str, *, limit: int = MAX_RESULTS) -> list[Hit]:
    """What a member of ``contract`` finds for ``q``, best first.

    The index is shared by the vendor's contracts, so the hits are checked once more
    against ``Article.objects.visible_to(user)``: tenancy is decided by the queryset,
    never by the cache alone.
    """
    if contract.pk not in member_contract_ids(user):
        return []
    hits = _search(contract, q, public_only=False, limit=limit)
    visible = set(
        Article.objects.visible_to(user)
        .published()
        .filter(id__in=[hit.id for hit in hits])
        .values_list("id", flat=True)
    )
    return [hit for hit in hits if hit.id in visible]


def search_public(contract, q: str, *, limit: int = MAX_RESULTS) -> list[Hit]:
    """What the portal shows citizens: public, published articles only."""
    hits = _search(contract, q, public_only=True, limit=limit)
    visible = set(
        Article.objects.public()
        .filter(id__in=[hit.id for hit in hits])
        .values_list("id", flat=True)
    )
    return [hit for hit in hits if hit.id in visible]
