"""Homophone typos of pinyin input (公基金 for 公积金, 实铭 for 实名, 营业只照 for 营业执照):
a stretch of the question that is no known word but sounds like a word of the index is
read as that word. Pure functions over a vocabulary; no Django.

Sounds are compared without tones and with the confusions of southern speakers and of
fuzzy-pinyin input methods (zh/z, ch/c, sh/s, n/l, -ing/-in, -eng/-en). A correction must
keep at least one character of the word in place (只照 -> 执照 keeps 照): two characters
that merely sound like a word are more often a real word we do not know than a typo.
A stretch of 4 characters one character away from exactly one word of the index is read
as that word too (a look-alike or mistyped character: 营业执煦 -> 营业执照).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from weibao.knowledge import text

#: Lengths of the stretches tried, longest first.
MAX_WORD = 4
MIN_WORD = 2
#: A jieba word at least this frequent is a real word, never a typo (我想, 电脑).
REAL_WORD_FREQUENCY = 200

_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=20000)
def sound(char: str) -> str:
    """The toneless, fuzzy pinyin of one character."""
    syllable = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    value = syllable[0] if syllable else char
    for full, fuzzy in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if value.startswith(full):
            value = fuzzy + value[2:]
            break
    if value.startswith("n") and not value.startswith("ng"):
        value = "l" + value[1:]
    if value.endswith("ing") or value.endswith("eng"):
        value = value[:-1]
    return value


def key(word: str) -> str:
    return " ".join(sound(char) for char in word)


class Corrector:
    """Words of one index by sound, to read a mistyped question."""

    def __init__(self, vocabulary: Iterable[tuple[str, int]]):
        self.known: dict[str, int] = {}
        self.by_sound: dict[str, list[tuple[int, str]]] = {}
        for word, df in vocabulary:
            if not (MIN_WORD <= len(word) <= MAX_WORD and _HAN_WORD.match(word)):
                continue
            self.known[word] = max(df, self.known.get(word, 0))
        for word, df in self.known.items():
            self.by_sound.setdefault(key(word), []).append((df, word))
        for candidates in self.by_sound.values():
            candidates.sort(key=lambda item: (-item[0], item[1]))

    def _is_word(self, piece: str) -> bool:
        if piece in self.known:
            return True
        return (text.tokenizer().FREQ.get(piece) or 0) >= REAL_WORD_FREQUENCY

    def _sounds_like(self, piece: str) -> str | None:
        for _, word in self.by_sound.get(key(piece), ()):
            if word != piece and any(a == b for a, b in zip(word, piece, strict=True)):
                return word
        return None

    def _one_character_off(self, piece: str) -> str | None:
        """A word of 4 characters of the index that differs from ``piece`` in exactly
        one character, when only one such word exists (营业执煦 -> 营业执照): a mistyped or look-alike character in a long word."""
        if len(piece) < 4:
            return None
        table = getattr(self, "_wildcards", None)
        if table is None:
            table = self._wildcards = {}
            for word in self.known:
                if len(word) >= 4:
                    for i in range(len(word)):
                        table.setdefault(word[:i] + "?" + word[i + 1 :], set()).add(word)
        found: set[str] = set()
        for i in range(len(piece)):
            found |= table.get(piece[:i] + "?" + piece[i + 1 :], set())
        found.discard(piece)
        return found.pop() if len(found) == 1 else None

    def correct(self, normalized: str) -> tuple[str, list[tuple[str, str]]]:
        """``normalized`` with its homophone typos replaced, and the (typed, read) pairs.

        Only a stretch that starts and ends where the segmenter cuts is tried: a typo
        breaks a word into pieces (公基金 is cut 公/基金), while a stretch that ends inside
        a real word (不起 in 想不起来) is no typo, and neither are real words side by side."""
        corrections: list[tuple[str, str]] = []
        tok = text.tokenizer()
        cuts: set[int] = set()
        whole: set[tuple[int, int]] = set()  # real one-word stretches: never corrected
        solid: set[int] = set()  # characters inside real words of two or more
        for word, start, end in tok.tokenize(normalized, HMM=False):
            cuts.update((start, end))
            if tok.FREQ.get(word):
                whole.add((start, end))
                if len(word) > 1:
                    solid.update(range(start, end))

        def fix_run(match: re.Match) -> str:
            run, offset = match.group(0), match.start()
            out: list[str] = []
            i, n = 0, len(run)
            while i < n:
                for length in range(min(MAX_WORD, n - i), MIN_WORD - 1, -1):
                    piece = run[i : i + length]
                    if self._is_word(piece):
                        out.append(piece)
                        i += length
                        break
                    span = (offset + i, offset + i + length)
                    if span[0] not in cuts or span[1] not in cuts or span in whole:
                        continue
                    if all(at in solid for at in range(*span)):
                        continue  # real words side by side (注册 + 账号), no typo
                    word = self._sounds_like(piece) or self._one_character_off(piece)
                    if word is not None:
                        corrections.append((piece, word))
                        out.append(word)
                        i += length
                        break
                else:
                    out.append(run[i])
                    i += 1
            return "".join(out)

        corrected = _HAN_RUN.sub(fix_run, normalized)
        return corrected, corrections
