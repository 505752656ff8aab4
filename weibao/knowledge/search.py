"""Knowledge-base search: one cached in-memory index per contract, tenancy applied on top.

Why in memory: BM25 needs document frequencies and lengths of the whole collection for
every query; computing them in SQL is slow on SQLite and different on PostgreSQL. The
segmented terms are stored on each article when it is saved, so (re)building an index is
a single read of those rows, never a re-segmentation. A contract's index holds what may
be read on it (``Article.objects.readable_on``: its own articles and those shared with it
by an explicit ``KnowledgeShare``). A per-contract ``SearchGeneration`` counter, bumped on
every change, tells each worker process when its copy is stale.
See docs/decisions/0005-knowledge-search.md.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import F

from weibao.contracts.scoping import member_contract_ids
from weibao.knowledge import text
from weibao.knowledge.models import Article, KnowledgeShare, SearchGeneration, Synonym
from weibao.knowledge.ranking import Doc, SearchIndex, SynonymTable, parse_query
from weibao.knowledge.services import learning

MAX_RESULTS = 20

_lock = threading.Lock()
_indexes: dict[int, tuple[int, SearchIndex]] = {}


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    score: float
    #: Why it matched: (the question's word, the word found), a synonym when they differ.
    matched: tuple[tuple[str, str], ...] = ()
    #: Raised because people used it for similar questions.
    learned: bool = False

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(found for _, found in self.matched))

    @property
    def synonyms(self) -> tuple[tuple[str, str], ...]:
        """(said, official) pairs that made the match: 解押 -> 抵押注销."""
        official = text.official_terms()
        out = []
        for said, found in self.matched:
            if said != found:
                out.append((said, official.get(said, found)))
        return tuple(dict.fromkeys(out))


class Results(list):
    """Hits, best first, and how the question was read: the homophone typos corrected
    ("did you mean …") and the qualifiers it negated."""

    corrections: tuple[tuple[str, str], ...] = ()
    corrected: str = ""
    negated: tuple[str, ...] = ()

    def read_as(self, query) -> Results:
        self.corrections, self.corrected, self.negated = query.corrections, query.corrected, query.negated
        return self


def bump_index(contract_id: int) -> None:
    """Mark one contract's index stale in every process."""
    key = str(contract_id)
    updated = SearchGeneration.objects.filter(key=key).update(generation=F("generation") + 1)
    if not updated:
        SearchGeneration.objects.get_or_create(key=key, defaults={"generation": 1})


def bump_generation(contract) -> None:
    """Mark stale the index of ``contract`` and of every contract it shares with (call
    after any change to its articles)."""
    bump_index(contract.pk)
    for reader_id in KnowledgeShare.objects.filter(owner=contract).values_list("reader_id", flat=True):
        bump_index(reader_id)


def _generation(contract_id: int) -> int:
    value = (
        SearchGeneration.objects.filter(key=str(contract_id)).values_list("generation", flat=True).first()
    )
    return value or 0


def build_index(contract_id: int) -> SearchIndex:
    index = SearchIndex()
    rows = (
        Article.objects.published()
        .readable_on([contract_id])
        .order_by("id")
        .values_list("id", "contract_id", "shared", "visibility", "title", "search_terms")
    )
    for article_id, contract_id, shared, visibility, title, terms in rows.iterator(2000):
        doc = Doc(article_id, contract_id, shared, visibility == Article.Visibility.PUBLIC, title)
        index.add(doc, terms or {})
    return index.freeze()


def index_for(contract_id: int) -> SearchIndex:
    generation = _generation(contract_id)
    cached = _indexes.get(contract_id)
    if cached is not None and cached[0] == generation:
        return cached[1]
    with _lock:
        cached = _indexes.get(contract_id)
        if cached is not None and cached[0] == generation:
            return cached[1]
        index = build_index(contract_id)
        _indexes[contract_id] = (generation, index)
        return index


def clear_cache() -> None:
    with _lock:
        _indexes.clear()


def synonym_table(contract_ids) -> SynonymTable:
    custom = tuple(
        tuple(terms)
        for terms in Synonym.objects.filter(contract_id__in=list(contract_ids))
        .order_by("id")
        .values_list("terms", flat=True)
    )
    return _synonym_table(custom)


@lru_cache(maxsize=256)
def _synonym_table(custom: tuple[tuple[str, ...], ...]) -> SynonymTable:
    """The built-in groups and lexicon plus a contract's own groups; merging ~150 groups
    costs milliseconds, so each distinct set of custom groups is merged once per process."""
    return SynonymTable([*text.default_synonym_groups(), *custom])


def _search(contract, q: str, *, public_only: bool, limit: int, learn: bool = True) -> Results:
    """Published articles of ``contract`` and those shared with it."""
    index = index_for(contract.pk)
    query = parse_query(q, synonym_table([contract.pk]), index.corrector())
    if query.is_empty:
        return Results()

    def allowed(doc: Doc) -> bool:
        if public_only and not doc.public:
            return False
        return doc.contract_id == contract.pk or doc.shared

    boosts = learning.boosts_for(contract.pk, q) if learn else {}
    ranked = index.search(query, allowed, limit=limit, boosts=boosts)
    hits = Results(
        Hit(
            doc.article_id,
            doc.title,
            round(score, 4),
            matched=tuple(index.matched_terms(index.position_of(doc.article_id), query)),
            learned=doc.article_id in boosts,
        )
        for doc, score in ranked
    )
    return hits.read_as(query)


def search(user, contract, q: str, *, limit: int = MAX_RESULTS) -> list[Hit]:
    """What a member of ``contract`` finds for ``q``, best first.

    The index is cached per process, so the hits are checked once more
    against ``Article.objects.visible_to(user)``: tenancy is decided by the queryset,
    never by the cache alone.
    """
    if contract.pk not in member_contract_ids(user):
        return Results()
    hits = _search(contract, q, public_only=False, limit=limit)
    visible = set(
        Article.objects.visible_to(user)
        .published()
        .filter(id__in=[hit.id for hit in hits])
        .values_list("id", flat=True)
    )
    return _kept(hits, visible)


def search_public(contract, q: str, *, limit: int = MAX_RESULTS) -> list[Hit]:
    """What the portal shows citizens: public, published articles only."""
    hits = _search(contract, q, public_only=True, limit=limit)
    visible = set(
        Article.objects.public()
        .filter(id__in=[hit.id for hit in hits])
        .values_list("id", flat=True)
    )
    return _kept(hits, visible)


def _kept(hits: Results, visible: set[int]) -> Results:
    kept = Results(hit for hit in hits if hit.id in visible)
    kept.corrections, kept.corrected, kept.negated = hits.corrections, hits.corrected, hits.negated
    return kept
