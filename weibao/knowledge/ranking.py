"""BM25 ranking over an in-memory inverted index. No Django, no I/O; the scoring loops run
in numpy over dense per-document arrays (the same arithmetic in the same order as the
plain-Python version it replaced, so rankings are unchanged, several times faster).

Terms are weighted by field at indexing time (BM25F-style: a title hit counts four
times, a tag three times, the body once; see ``text.FIELD_WEIGHTS``). A query is a list of
*concepts*: a concept is a synonym group (U盾 = 数字证书 = CA证书) and scores as one
term whose frequency is the sum of its members' (like Lucene's SynonymQuery), so an
article is not rewarded for repeating three synonyms. Character bigrams are a second,
lighter index that still matches a mistyped or unknown word.

Reading a question: synonym phrases are found leftmost-longest in the raw text (so a
colloquial phrase works however jieba cuts it, and 多缴费用 is 多缴 + 费用, not 缴费),
"X的Y" is read as the phrase "XY" (U盾的密码 = U盾密码), and a leftover word of one
character counts half (看, 调: vague, or jieba's fallback for an unknown word).
Articles titled for one kind of applicant (个人 / 法人, see data/qualifiers.txt) are
demoted when the question names the other kind, and a little when it names neither and
the article is not for the default kind.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from weibao.knowledge import pinyin, text

K1 = 1.2
B = 0.75
#: How much the bigram fallback adds next to the word score.
BIGRAM_WEIGHT = 0.2
#: How much a question word of one Chinese character counts (看, 调, 输): such words are
#: vague, and jieba falls back to single characters for words it does not know.
SINGLE_CHARACTER_WEIGHT = 0.5
#: Score factor for an article titled for another kind of applicant than the question's
#: (a 法人 article for a 个人 question), and for one titled for a kind other than the
#: default when the question names no kind. See data/qualifiers.txt.
OTHER_KIND = 0.7
#: How many of the best-scored documents are ranked first (see SearchIndex.search).
CANDIDATES = 500
UNSTATED_KIND = 0.85
#: How much a filler or complaint word counts (烦死了, 听说, 具体): a long, rambling
#: question is reduced to the few words that say what it is about.
FILLER_WEIGHT = 0.15


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
        self.norms = np.array([K1 * (1 - B + B * (length / avg)) for length in self.lengths], dtype=np.float64)
        self.docs = {term: np.frombuffer(docs, dtype=np.int32) for term, docs in self.docs.items()}
        self.tfs = {term: np.frombuffer(tfs, dtype=np.float32).astype(np.float64) for term, tfs in self.tfs.items()}

    def score(self, concepts: Iterable[tuple[tuple[str, ...], float]], scores: np.ndarray, scale: float):
        """Add each concept's BM25 contribution to ``scores`` (one slot per document)."""
        n = len(self.lengths)
        norms = self.norms
        k = K1 + 1
        for members, weight in concepts:
            merged = None  # the concept's term frequency per document: its members' sum
            for term in members:
                docs = self.docs.get(term)
                if docs is None:
                    continue
                if merged is None:
                    merged = np.zeros(n, dtype=np.float64)
                    merged[docs] = self.tfs[term]
                else:
                    merged[docs] += self.tfs[term]  # a term lists each document once
            if merged is None:
                continue
            hit = np.flatnonzero(merged)
            df = len(hit)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) * weight * scale
            tf = merged[hit]
            scores[hit] += idf * tf * k / (tf + norms[hit])


class SearchIndex:
    """The published articles of one vendor, ready to rank."""

    def __init__(self):
        self.docs: list[Doc] = []
        self.words = _Postings()
        self.grams = _Postings()
        #: Per document, the applicant kind its title is for in each qualifier set
        #: (-1: none or several), only for documents that have one.
        self.kinds: dict[int, tuple[int, ...]] = {}

    def add(self, doc: Doc, terms: dict) -> None:
        self.docs.append(doc)
        position = len(self.docs) - 1
        kinds = applicant_kinds(doc.title)
        if any(kind >= 0 for kind in kinds):
            self.kinds[position] = kinds
        self.words.add(position, terms.get("w", {}), terms.get("wl", 0))
        self.grams.add(position, terms.get("b", {}), terms.get("bl", 0))

    def __len__(self) -> int:
        return len(self.docs)

    def corrector(self):
        """The index's words by sound, to read homophone typos (built on first use)."""
        corrector = getattr(self, "_corrector", None)
        if corrector is None:
            corrector = self._corrector = pinyin.Corrector(
                (term, len(docs)) for term, docs in self.words.docs.items()
            )
        return corrector

    def position_of(self, article_id: int) -> int | None:
        positions = getattr(self, "_positions", None)
        if positions is None:
            positions = self._positions = {doc.article_id: i for i, doc in enumerate(self.docs)}
        return positions.get(article_id)

    def matched_terms(self, position: int, query: Query) -> list[tuple[str, str]]:
        """Which of the question's words the document at ``position`` contains: pairs of
        (the word the question used, the word found: a synonym or itself)."""
        out = []
        for (members, _), surface in zip(query.concepts, query.surfaces, strict=False):
            # The word the question used first, then its synonyms.
            for term in sorted(members, key=lambda t: t != surface):
                docs = self.words.docs.get(term)
                if docs is None:
                    continue
                at = int(np.searchsorted(docs, position))
                if at < len(docs) and docs[at] == position:
                    out.append((surface, term))
                    break
        return out

    def freeze(self) -> SearchIndex:
        self.words.freeze()
        self.grams.freeze()
        self._kind_positions = np.fromiter(self.kinds.keys(), dtype=np.int64, count=len(self.kinds))
        width = max((len(kinds) for kinds in self.kinds.values()), default=0)
        self._kind_table = np.full((len(self.kinds), width), -1, dtype=np.int64)
        for row, kinds in enumerate(self.kinds.values()):
            self._kind_table[row, : len(kinds)] = kinds
        return self

    def search(self, query: Query, allowed, limit: int = 20, boosts=None) -> list[tuple[Doc, float]]:
        """The best ``limit`` documents for which ``allowed(doc)`` holds, best first.

        ``boosts`` (article id -> fraction) raise a document by that fraction of the best
        text score: what people who asked alike used (see ``learning``)."""
        scores = np.zeros(len(self.docs), dtype=np.float64)
        self.words.score(query.concepts, scores, 1.0)
        if query.grams:
            self.grams.score(query.grams, scores, BIGRAM_WEIGHT)
        if self.kinds:
            self._weigh_kinds(query.kinds or applicant_kinds(""), scores)
        if boosts:
            top = float(scores.max()) if len(scores) else 0.0
            for article_id, (fraction, may_add) in boosts.items():
                position = self.position_of(article_id)
                # An article the words do not match needs several people's evidence.
                if position is not None and (scores[position] > 0 or may_add):
                    scores[position] += (top or 1.0) * fraction
        best: list[tuple[Doc, float]] = []
        if limit <= 0:
            return best
        # Every contribution is positive, so the scored documents are the non-zero ones.
        scored = np.flatnonzero(scores)
        # Best first; ties (same score) go to the older article, a stable, repeatable
        # order. ``allowed`` is asked, best first, only until ``limit`` documents are
        # found: first among the best few hundred, the rest only if those are not enough.
        docs = self.docs
        head = scored
        if len(scored) > 4 * CANDIDATES:
            cut = scores[scored[np.argpartition(-scores[scored], CANDIDATES)[:CANDIDATES]]].min()
            head = scored[scores[scored] >= cut]  # ties at the cut included: the order is exact
        for candidates in (head, scored):
            best = []
            order = candidates[np.lexsort((candidates, -scores[candidates]))]
            for pos in order.tolist():
                doc = docs[pos]
                if allowed(doc):
                    best.append((doc, float(scores[pos])))
                    if len(best) >= limit:
                        return best
            if candidates is scored:
                break
        return best

    def _weigh_kinds(self, wanted: tuple[int, ...], scores: np.ndarray) -> None:
        """Demote articles titled for another kind of applicant than the question names
        (or, when it names none, than the default kind)."""
        positions, table = self._kind_positions, self._kind_table
        defaults = text.qualifier_defaults()
        factor = np.ones(len(positions), dtype=np.float64)
        for column, want in enumerate(wanted[: table.shape[1]]):
            have = table[:, column]
            differs = (have >= 0) & (have != want)
            if want >= 0:
                factor[differs] *= OTHER_KIND
            elif column < len(defaults) and defaults[column]:
                factor[differs & (have > 0)] *= UNSTATED_KIND
        scores[positions] *= factor


def applicant_kinds(raw: str) -> tuple[int, ...]:
    """For each qualifier set (个人 | 法人), which kind ``raw`` names: its position in
    the set, or -1 when it names none or more than one. Used for titles: no negation."""
    normalized = text.normalize(raw)
    found = []
    for pattern, kind_of in _kind_patterns():
        named = {kind_of[m.group(0)] for m in pattern.finditer(normalized)}
        found.append(named.pop() if len(named) == 1 else -1)
    return tuple(found)


def question_kinds(normalized: str) -> tuple[tuple[int, ...], list[tuple[int, int]]]:
    """Like ``applicant_kinds`` for a question, which may negate a kind: "不是开公司"
    names no company; in a set of two kinds it names the other one (个人). Also returns the
    (start, end) spans of the negated words, which are then no search words."""
    found = []
    negated_spans: list[tuple[int, int]] = []
    for (pattern, kind_of), kinds in zip(_kind_patterns(), text.qualifier_sets(), strict=True):
        named, negated = set(), set()
        for m in pattern.finditer(normalized):
            kind = kind_of[m.group(0)]
            before = _NEGATION.search(normalized[max(0, m.start() - NEGATION_REACH) : m.start()])
            if before:
                negated.add(kind)
                negated_spans.append((m.start(), m.end()))
            else:
                named.add(kind)
        named -= negated
        if len(named) == 1:
            found.append(named.pop())
        elif not named and len(negated) == 1 and len(kinds) == 2:
            found.append(1 - negated.pop())
        else:
            found.append(-1)
    return tuple(found), negated_spans


#: How far before a qualifier a negation still applies to it ("不是开个公司").
NEGATION_REACH = 6
_NEGATION = re.compile(r"(而不是|又不是|不是|并非|不打算|不想|不要|非)[^，。,.;；!！?？]*$")


@lru_cache(maxsize=1)
def _kind_patterns() -> tuple[tuple[re.Pattern, dict[str, int]], ...]:
    """Per qualifier set, one pattern of all its words (longest first, so 非本市户籍 is one
    word of its own) and the kind each word names."""
    out = []
    for kinds in text.qualifier_sets():
        kind_of: dict[str, int] = {}
        for position, words in enumerate(kinds):
            for word in words:
                if len(word) > 1:
                    kind_of.setdefault(word, position)
        ordered = sorted(kind_of, key=len, reverse=True)
        out.append((re.compile("|".join(map(re.escape, ordered))), kind_of))
    return tuple(out)


@dataclass(frozen=True)
class Query:
    concepts: tuple[tuple[tuple[str, ...], float], ...]
    grams: tuple[tuple[tuple[str, ...], float], ...]
    #: Which kind of applicant the question names in each qualifier set (-1: none).
    kinds: tuple[int, ...] = ()
    #: Per concept, the words the question used for it (to explain a match).
    surfaces: tuple[str, ...] = ()
    #: Homophone typos read as another word: (typed, read).
    corrections: tuple[tuple[str, str], ...] = ()
    #: The question as read after the corrections ("did you mean"), when there were any.
    corrected: str = ""
    #: Qualifier words the question negated (不是开公司 -> 公司).
    negated: tuple[str, ...] = ()

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
        self.longest = max((len(term) for term in self.group_of), default=0)

    def find_phrases(self, haystack: str, starts=None) -> tuple[list[str], str]:
        """The synonym terms in ``haystack``, leftmost-longest (电子营业执照 before 执照,
        多缴 in 多缴费用 before 缴费), and what is left with each one blanked out.

        ``starts``, if given, are the positions where the segmenter starts a word: a term
        is not taken from the middle of a longer word (续费 is not in 手续费). A
        one-character term is never a phrase: it only counts where the segmenter cuts it
        as a word of its own (续 in "证书要续吗"). ASCII terms match whole words only
        ("ie" is not inside "cookie")."""
        found: list[str] = []
        rest: list[str] = []
        group_of = self.group_of
        i, n = 0, len(haystack)
        while i < n:
            if starts is not None and i not in starts:
                rest.append(haystack[i])
                i += 1
                continue
            for length in range(min(self.longest, n - i), 1, -1):
                piece = haystack[i : i + length]
                if piece not in group_of:
                    continue
                end = i + length
                if _is_word_char(piece[0]) and i and _is_word_char(haystack[i - 1]):
                    continue
                if _is_word_char(piece[-1]) and end < n and _is_word_char(haystack[end]):
                    continue
                found.append(piece)
                rest.append(" ")
                i = end
                break
            else:
                rest.append(haystack[i])
                i += 1
        return found, "".join(rest)

    def expand(self, term: str) -> tuple[str, ...]:
        index = self.group_of.get(term)
        return self.groups[index] if index is not None else (term,)


def parse_query(raw: str, synonyms: SynonymTable, corrector=None) -> Query:
    """Words of the question, each widened to its synonym group; plus its bigrams.

    Before that, homophone typos are read as the index's words (``corrector``), and
    qualifiers the question negates (不是开公司) are taken out: they choose the kind of
    article (see ``question_kinds``) and are no search words."""
    normalized = text.normalize(raw)
    corrections: list[tuple[str, str]] = []
    if corrector is not None:
        normalized, corrections = corrector.correct(normalized)
    kinds, negated_spans = question_kinds(normalized)
    negated = tuple(normalized[a:b] for a, b in negated_spans)
    searched = normalized
    for a, b in negated_spans:
        searched = searched[:a] + " " * (b - a) + searched[b:]
    concepts: dict[tuple[str, ...], float] = {}
    surfaces: dict[tuple[str, ...], str] = {}
    # "U盾的密码" is the 密码 of the U盾: without the particle it is the phrase "u盾密码".
    covered = _POSSESSIVE.sub("", searched)
    # Synonym phrases are found in the raw question, not only among jieba's words, so a
    # colloquial phrase (登不上, 收不着) works however the segmenter cuts it.
    phrases, covered = synonyms.find_phrases(covered, text.word_starts(covered))
    for phrase in phrases:
        group = synonyms.expand(phrase)
        concepts[group] = 1.0
        surfaces.setdefault(group, phrase)
    for word in text.words(covered):
        group = synonyms.expand(word)
        single = len(group) == 1 and len(word) == 1 and _HAN_CHARACTER.match(word)
        if len(group) == 1 and word in text.FILLER_WORDS:
            weight = FILLER_WEIGHT
        else:
            weight = SINGLE_CHARACTER_WEIGHT if single else 1.0
        concepts.setdefault(group, weight)
        surfaces.setdefault(group, word)
    grams = tuple(((gram,), 1.0) for gram in dict.fromkeys(text.bigrams(searched)))
    return Query(
        concepts=tuple(concepts.items()),
        grams=grams,
        kinds=kinds,
        surfaces=tuple(surfaces[group] for group in concepts),
        corrections=tuple(corrections),
        corrected=normalized if corrections else "",
        negated=negated,
    )


_HAN_CHARACTER = re.compile(r"[\u4e00-\u9fff]")
_POSSESSIVE = re.compile(r"(?<=[\u4e00-\u9fffa-z0-9])的(?=[\u4e00-\u9fffa-z0-9])")


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()
