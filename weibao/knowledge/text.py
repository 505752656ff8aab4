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
                for group in default_synonym_groups():
                    for term in group:
                        tok.add_word(term, freq=20)
                _tokenizer = tok
    return _tokenizer


def ensure_words(terms) -> None:
    """Teach the segmenter words a project manager added as synonyms."""
    tok = tokenizer()
    for term in terms:
        term = normalize(term).strip()
        if len(term) > 1 and term not in tok.FREQ:
            tok.add_word(term, freq=20)


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


@lru_cache(maxsize=1)
def default_synonym_groups() -> tuple[tuple[str, ...], ...]:
    groups = []
    for line in DEFAULT_SYNONYMS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        terms = tuple(dict.fromkeys(normalize(t).strip() for t in line.split("/") if t.strip()))
        if len(terms) > 1:
            groups.append(terms)
    return tuple(groups)
