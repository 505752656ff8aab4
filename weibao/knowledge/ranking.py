"""BM25 ranking over an in-memory inverted index. Pure Python, no Django, no I/O.

Terms are weighted by field at indexing time (BM25F-style: a title hit counts four
times, a tag three times, the body once; see ``text.FIELD_WEIGHTS``). A query is a list of
*concepts*: a concept is a synonym group (U盾 = 数字证书 = CA证书) and scores as one
term whose frequency is the sum of its members' (like Lucene's SynonymQuery), so an
article is not rewarded for repeating three synonyms. Character bigrams are a second,
lighter index that still matches a mistyped or unknown word.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from weibao.knowledge import text

K1 = 1.2
B = 0.75
#: How much the bigram fallback adds next to the word score.
BIGRAM_WEIGHT = 0.2


@dataclass(frozen=True)
class Doc:
    article_id: int
    contract_id: int
    shared: bool
    public: bool
    title: str


class _Postings:
    """term -> (doc positions, weighted term frequencies), compact arrays."""

    def __init__(self):
        self.docs: dict[str, array] = {}
        self.tfs: dict[str, array] = {}
        self.lengths = array("f")

    def add(self, position: int, counts: dict[str, int], length: float) -> None:
        self.lengths.append(float(length))
        for term, tf in counts.items():
            docs = self.docs.get(term)
            if docs is None:
                docs = self.docs[term] = array("i")
                self.tfs[term] = array("f")
            docs.append(position)
            self.tfs[term].append(float(tf))

    def freeze(self) -> None:
        n = len(self.lengths)
        avg = (sum(self.lengths) / n) if n else 1.0
        avg = avg or 1.0
        # The length part of BM25's denominator, once per document.
        self.norms = [K1 * (1 - B + B * (length / avg)) for length in self.lengths]

    def score(self, concepts: Iterable[tuple[tuple[str, ...], float]], scores: dict, scale: float):
        n = len(self.lengths)
        norms = self.norms
        for members, weight in concepts:
            merged: dict[int, float] = {}
            for term in members:
                docs = self.docs.get(term)
                if docs is None:
                    continue
                if not merged:
                    merged = dict(zip(docs, self.tfs[term], strict=True))
                else:
                    for pos, tf in zip(docs, self.tfs[term], strict=True):
                        merged[pos] = merged.get(pos, 0.0) + tf
            df = len(merged)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) * weight * scale
            k = K1 + 1
            get = scores.get
            for pos, tf in merged.items():
                scores[pos] = get(pos, 0.0) + idf * tf * k / (tf + norms[pos])


class SearchIndex:
    """The published articles of one vendor, ready to rank."""

    def __init__(self):
        self.docs: list[Doc] = []
        self.words = _Postings()
        self.grams = _Postings()

    def add(self, doc: Doc, terms: dict) -> None:
        self.docs.append(doc)
        position = len(self.docs) - 1
        self.words.add(position, terms.get("w", {}), terms.get("wl", 0))
        self.grams.add(position, terms.get("b", {}), terms.get("bl", 0))

    def freeze(self) -> SearchIndex:
        self.words.freeze()
        self.grams.freeze()
        return self

    def __len__(self) -> int:
        return len(self.docs)

    def search(self, query: Query, allowed, limit: int = 20) -> list[tuple[Doc, float]]:
        """The best ``limit`` documents for which ``allowed(doc)`` holds, best first."""
        scores: dict[int, float] = {}
        self.words.score(query.concepts, scores, 1.0)
        if query.grams:
            self.grams.score(query.grams, scores, BIGRAM_WEIGHT)
        docs = self.docs
        candidates = ((score, pos) for pos, score in scores.items() if allowed(docs[pos]))
        # Ties (same score) go to the older article: a stable, repeatable order.
        best = heapq.nlargest(limit, candidates, key=lambda item: (item[0], -item[1]))
        return [(docs[pos], score) for score, pos in best]


@dataclass(frozen=True)
class Query:
    concepts: tuple[tuple[tuple[str, ...], float], ...]
    grams: tuple[tuple[tuple[str, ...], float], ...]

    @property
    def is_empty(self) -> bool:
        return not self.concepts and not self.grams


class SynonymTable:
    """Which synonym group each term belongs to."""

    def __init__(self, groups: Iterable[Iterable[str]]):
        self.groups: list[tuple[str, ...]] = []
        self.group_of: dict[str, int] = {}
        for group in groups:
            terms = [text.normalize(t).strip() for t in group if t and t.strip()]
            if len(terms) < 2:
                continue
            # A term in two groups joins them: 证书 in "U盾" and "电子证照" means one thing.
            joined = {self.group_of[t] for t in terms if t in self.group_of}
            if joined:
                index = min(joined)
                merged = list(self.groups[index])
                for other in sorted(joined - {index}):
                    merged.extend(self.groups[other])
                    self.groups[other] = ()
                merged.extend(terms)
                self.groups[index] = tuple(dict.fromkeys(merged))
            else:
                index = len(self.groups)
                self.groups.append(tuple(dict.fromkeys(terms)))
            for term in self.groups[index]:
                self.group_of[term] = index
        # Longest first, so 电子营业执照 is found before 执照.
        self.phrases = sorted(self.group_of, key=len, reverse=True)

    def expand(self, term: str) -> tuple[str, ...]:
        index = self.group_of.get(term)
        return self.groups[index] if index is not None else (term,)


def parse_query(raw: str, synonyms: SynonymTable) -> Query:
    """Words of the question, each widened to its synonym group; plus its bigrams."""
    normalized = text.normalize(raw)
    concepts: dict[tuple[str, ...], float] = {}
    # "U盾的密码" is the 密码 of the U盾: without the particle it is the phrase "u盾密码".
    covered = _POSSESSIVE.sub("", normalized)
    # Synonym phrases are found in the raw question, not only among jieba's words, so a
    # colloquial phrase (登不上, 收不着) works however the segmenter cuts it. A single
    # character is a phrase only where jieba cuts it as a word (续 is not inside 手续).
    for phrase in synonyms.phrases:
        if len(phrase) < 2:
            break
        if phrase in covered and _bounded(phrase, covered):
            concepts[synonyms.expand(phrase)] = 1.0
            covered = covered.replace(phrase, " ")
    for word in text.words(covered):
        group = synonyms.expand(word)
        concepts.setdefault(group, 1.0)
    grams = tuple(((gram,), 1.0) for gram in dict.fromkeys(text.bigrams(normalized)))
    return Query(concepts=tuple(concepts.items()), grams=grams)


_POSSESSIVE = re.compile(r"(?<=[\u4e00-\u9fffa-z0-9])的(?=[\u4e00-\u9fffa-z0-9])")


def _bounded(phrase: str, haystack: str) -> bool:
    """ASCII phrases match whole words only ("ie" is not inside "cookie")."""
    if not phrase.isascii():
        return True
    start = haystack.find(phrase)
    while start != -1:
        before = haystack[start - 1] if start else " "
        end = start + len(phrase)
        after = haystack[end] if end < len(haystack) else " "
        if not (before.isascii() and before.isalnum()) and not (
            after.isascii() and after.isalnum()
        ):
            return True
        start = haystack.find(phrase, start + 1)
    return False
