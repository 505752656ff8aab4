"""Chinese text for search: normalisation, jieba segmentation with the government-service
user dictionary, stop words and character bigrams. Pure functions; no Django."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "gov_terms.txt"
DEFAULT_SYNONYMS = DATA_DIR / "default_synonyms.txt"
QUALIFIERS = DATA_DIR / "qualifiers.txt"

# Question words and particles: they say nothing about which article is meant.
STOP_WORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 么 嘛 哦 是 在 有 和 与 及 或 也 都 就 还 又 被 把 让 给 对 从 到 向 用
    我 我们 你 你们 他 她 它 这 那 这个 那个 这样 那样 一下 一个 一直 什么 怎么 怎么办 怎么样 怎样 如何
    为什么 为何 咋 咋办 咋回事 哪里 哪儿 哪个 请问 请 能 能否 可以 可不可以 要 需要 想 会 该 应该
    没有 不 没 还是 但是 可是 如果 时候 现在 已经 之后 以后 然后 问题 情况 说 显示 提示 出现 一直
    老是 总是 无法 不能 不了 不到 不上 不行 上 下 里 中 后 前 时 等 个 次 啥 些 好 吗 哈""".split()
)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def normalize(text: str) -> str:
    """Full-width to half-width, lower case: Ｕ盾, U盾 and u盾 are one word."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokenizer() -> jieba.Tokenizer:
    """The process's jieba tokenizer with our user dictionary (built once, thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.load_userdict(str(USER_DICT))
                terms = [line.split()[0] for line in _lines(USER_DICT)]
                terms.extend(term for group in default_synonym_groups() for term in group)
                for term in terms:
                    _keep_whole(tok, normalize(term).strip())
                _tokenizer = tok
    return _tokenizer


def _keep_whole(tok: jieba.Tokenizer, term: str) -> None:
    """Make ``term`` a word that jieba keeps whole. A small fixed frequency is not enough:
    with it, 法人 is still cut into 法/人 and 上传 into 上/传, because the characters
    alone are frequent. Like ``jieba.suggest_freq``, give the word at least the
    probability of the pieces it would otherwise be cut into. One character is never
    added: that could only make a common character rarer."""
    if len(term) < 2:
        return
    known = tok.FREQ.get(term) or 0
    tok.FREQ[term] = 0  # as if unknown, to see how it would be cut
    probability = 1.0
    for piece in tok.cut(term, HMM=False):
        probability *= (tok.FREQ.get(piece) or 1) / tok.total
    tok.FREQ[term] = known
    tok.add_word(term, freq=max(known, 20, int(probability * tok.total) + 1))


def ensure_words(terms) -> None:
    """Teach the segmenter words a project manager added as synonyms."""
    tok = tokenizer()
    for term in terms:
        term = normalize(term).strip()
        if len(term) > 1 and not tok.FREQ.get(term):
            with _lock:
                _keep_whole(tok, term)


def words(text: str) -> list[str]:
    """Search words of ``text``: jieba's search-mode cut (long words also yield their
    parts), without stop words and punctuation."""
    text = normalize(text)
    out = []
    for token in tokenizer().cut_for_search(text, HMM=False):
        token = token.strip()
        if not token or token in STOP_WORDS:
            continue
        if not (_HAN.search(token) or token.isalnum()):
            continue
        out.append(token)
    return out


def word_starts(text: str) -> set[int]:
    """Where the segmenter starts a word in ``text`` (already normalised)."""
    return {start for _, start, _ in tokenizer().tokenize(text, HMM=False)}


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each Chinese run (and whole ASCII words): the
    fallback that still matches a mistyped or unknown word by its pieces."""
    out = []
    for run in _HAN_RUN.findall(normalize(text)):
        if not _HAN.match(run):
            out.append(run)
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


#: How much a match in each field counts (title > tags > body).
FIELD_WEIGHTS = {"title": 4, "tags": 3, "body": 1}


def document_terms(title: str, tags: list[str], body: str) -> dict:
    """The weighted term counts of an article, stored on the row so the index can be
    built without segmenting again: ``{"w": {word: tf}, "wl": length, "b": {...}, "bl": n}``.

    Bigrams come from the title and tags only: body bigrams would multiply the index
    size for little gain, since body words are already segmented."""
    tag_text = " ".join(tags or [])
    weighted: Counter = Counter()
    length = 0
    for field, text in (("title", title), ("tags", tag_text), ("body", _plain(body))):
        field_words = words(text)
        weight = FIELD_WEIGHTS[field]
        length += weight * len(field_words)
        for word in field_words:
            weighted[word] += weight
    grams: Counter = Counter()
    for gram in bigrams(title):
        grams[gram] += FIELD_WEIGHTS["title"]
    for gram in bigrams(tag_text):
        grams[gram] += FIELD_WEIGHTS["tags"]
    return {
        "w": dict(weighted),
        "wl": length,
        "b": dict(grams),
        "bl": sum(grams.values()),
    }


_MARKUP = re.compile(r"[#*_`>\[\]()!|-]+|https?://\S+")


def _plain(markdown_text: str) -> str:
    return _MARKUP.sub(" ", markdown_text or "")


def _lines(path: Path) -> list[str]:
    """The lines of a data file, without blank lines and ``#`` comments."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def default_synonym_groups() -> tuple[tuple[str, ...], ...]:
    groups = []
    for line in _lines(DEFAULT_SYNONYMS):
        terms = tuple(dict.fromkeys(normalize(t).strip() for t in line.split("/") if t.strip()))
        if len(terms) > 1:
            groups.append(terms)
    return tuple(groups)


@lru_cache(maxsize=1)
def qualifier_sets() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Kinds of applicant that exclude each other (个人 | 法人), each kind as the words of
    its default synonym group; the first kind of a set is the one assumed by default."""
    groups = default_synonym_groups()
    sets = []
    for line in _lines(QUALIFIERS):
        kinds = []
        for name in line.split("|"):
            name = normalize(name).strip()
            words_of_kind = {name}
            for group in groups:
                if name in group:
                    words_of_kind.update(group)
            kinds.append(tuple(sorted(words_of_kind, key=len, reverse=True)))
        if len(kinds) > 1:
            sets.append(tuple(kinds))
    return tuple(sets)
