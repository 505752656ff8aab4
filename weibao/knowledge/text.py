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
#: Everyday words, slang, abbreviations and English -> the official term (first of a line).
LEXICON = DATA_DIR / "gov_lexicon.txt"

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


def _groups(path: Path) -> list[tuple[str, ...]]:
    groups = []
    for line in _lines(path):
        terms = tuple(dict.fromkeys(normalize(t).strip() for t in line.split("/") if t.strip()))
        if len(terms) > 1:
            groups.append(terms)
    return groups


@lru_cache(maxsize=1)
def default_synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The built-in synonym groups, then the government-service lexicon."""
    return tuple(_groups(DEFAULT_SYNONYMS) + _groups(LEXICON))


@lru_cache(maxsize=1)
def official_terms() -> dict[str, str]:
    """Lexicon word -> the official term it stands for (解押 -> 抵押注销), to say so."""
    return {term: group[0] for group in _groups(LEXICON) for term in group[1:]}


#: Words that say how the caller feels or fill the sentence, not what they ask about: in a
#: long question they would otherwise outvote its two or three real words.
FILLER_WORDS = frozenset(
    """你好 您好 喂 烦死 急死 气死 麻烦 麻烦你 谢谢 请问一下 问一下 想问 想问一下 真的 烦死了 急死了 气死了 烦 急
    听说 听 朋友 同事 邻居 隔壁 家里 我家 我们家 老婆 老公 我妈 我爸 奶奶 爷爷 父亲 母亲 孩子 具体 到底
    究竟 反正 结果 好像 感觉 觉得 其实 就是 这种 那种 这边 那边 这里 那里 东西 事情 弄 搞 办 整 咋整
    试了 好多 好多遍 很多 一点 一些 大半年 上个月 下个月 去年 今年 前几天 昨天 今天 晚上 已经 刚 刚刚
    终于 全部 直接 一趟 太远 折腾 方便 不知道 知道 打算 准备 是不是 能不能 可不可以 有没有 行不行
    我这种 情况 怎么 怎么弄 怎么搞 咋弄 咋搞 流程 手续 系统 你们 告诉 帮忙 一下子 时间""".split()
)


@lru_cache(maxsize=1)
def qualifier_sets() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Qualifiers that exclude each other (个人 | 法人; 本地户籍 | 外地户籍), each kind as its
    words: its name, the words after ``=``, and its name's default synonym group."""
    return tuple(kinds for kinds, _ in _qualifier_lines())


@lru_cache(maxsize=1)
def qualifier_defaults() -> tuple[bool, ...]:
    """Per qualifier set, whether its first kind is assumed when a question names none
    (marked ``*`` in qualifiers.txt)."""
    return tuple(default for _, default in _qualifier_lines())


@lru_cache(maxsize=1)
def _qualifier_lines():
    groups = default_synonym_groups()
    sets = []
    for line in _lines(QUALIFIERS):
        kinds = []
        default = False
        for part in line.split("|"):
            name, _, extra = part.partition("=")
            name = normalize(name).strip()
            if name.endswith("*"):
                name, default = name[:-1].strip(), default or not kinds
            words_of_kind = {name}
            words_of_kind.update(w for w in (normalize(x).strip() for x in extra.split(",")) if w)
            for group in groups:
                if name in group:
                    words_of_kind.update(group)
            # One character (续, 帮) is inside too many other words (手续) to name a kind.
            words_of_kind = {w for w in words_of_kind if len(w) > 1}
            kinds.append(tuple(sorted(words_of_kind, key=len, reverse=True)))
        if len(kinds) > 1:
            sets.append((tuple(kinds), default))
    return tuple(sets)
