"""A contract's text cut into clauses and sentences, each sentence knowing its clause.

Contracts number their clauses in several styles (第一条, 一、, （一）, 1., 1、, (1), 1)).
The top level is the most senior style used at least three times; the others are items
inside a clause. A sentence ends at 。！？； or a line break, so every field can quote the
sentence it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from weibao.core.chinese_numbers import fold

_CN = "[一二三四五六七八九十百零〇]+"
# Styles, most senior first. Each captures its label.
STYLES: list[tuple[str, re.Pattern]] = [
    ("tiao", re.compile(r"^(第" + _CN + r"[条章])\s*")),
    ("cn_dun", re.compile(r"^(" + _CN + r")\s*[、.．]\s*")),
    ("cn_paren", re.compile(r"^[（(](" + _CN + r")[)）]\s*")),
    ("num_dot", re.compile(r"^([0-9]{1,2})\s*[.．](?![0-9])\s*")),
    ("num_dun", re.compile(r"^([0-9]{1,2})\s*、\s*")),
    ("num_sub", re.compile(r"^([0-9]{1,2}\.[0-9]{1,2})(?:\.[0-9]{1,2})?\s*")),
    ("num_paren", re.compile(r"^(?:[（(]([0-9]{1,2})[)）]|([0-9]{1,2})[)）])\s*")),
]
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])")
# One space inside a name is typesetting (石 龙区); a run of spaces or a tab separates
# fields laid out on one line (开户银行：…   账号：…) and is kept.
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff“”]) (?=[\u4e00-\u9fff“”])")
_BULLET = re.compile(r"^[-•·*]\s+")


def tidy(text: str) -> str:
    """Spaces between Chinese characters are typesetting, not content (石 龙区 → 石龙区)."""
    return _CJK_GAP.sub("", text.strip())


@dataclass
class Sentence:
    text: str  # as written, tidied
    clause: Clause | None
    item: str = ""  # the item label inside the clause (3 of 九、3)
    line: int = 0
    unit: int = 0  # one per clause or numbered item, in order (two lists may reuse 1、2、)

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def reference(self) -> str:
        """九.3, 第六条.2, 四: where the sentence stands in the contract."""
        if self.clause is None:
            return ""
        return f"{self.clause.label}.{self.item}" if self.item else self.clause.label


@dataclass
class Clause:
    label: str  # 九, 第六条, 5
    title: str  # 违约责任
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.label} {self.title}".strip()


@dataclass
class Segmented:
    preamble: list[Sentence]
    clauses: list[Clause]
    lines: list[str]

    @cached_property
    def sentences(self) -> list[Sentence]:
        return self.preamble + [s for c in self.clauses for s in c.sentences]


def _style_of(line: str) -> tuple[str, str, str] | None:
    """(style, label, rest of the line) when ``line`` opens with a clause number."""
    folded = fold(line)
    for name, pattern in STYLES:
        match = pattern.match(folded)
        if match:
            label = next(g for g in match.groups() if g)
            return name, label, line[match.end():]
    return None


def _top_style(lines: list[str]) -> str | None:
    counts: dict[str, int] = {}
    for line in lines:
        styled = _style_of(line)
        if styled:
            counts[styled[0]] = counts.get(styled[0], 0) + 1
    for least in (3, 2):
        for name, _ in STYLES:
            if counts.get(name, 0) >= least:
                return name
    return None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _is_heading_only(rest: str) -> bool:
    """一、服务范围 opens a clause and names it; 1、甲方以转账方式… is already its text."""
    rest = rest.strip()
    return 0 < len(rest) <= 14 and not re.search(r"[，。；：:,;]", rest)


def _title_before_colon(rest: str) -> str:
    """付款方式：… names its clause before the colon; the line stays the clause's text."""
    match = re.match(r"^\s*([^，。；：:,;]{2,8})[：:]", rest)
    return match.group(1).strip() if match else ""


def segment(text: str) -> Segmented:
    lines = [tidy(_BULLET.sub("", line.strip())) for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    top = _top_style(lines)
    preamble: list[Sentence] = []
    clauses: list[Clause] = []
    current: Clause | None = None
    item = ""
    unit = 0
    for number, line in enumerate(lines):
        styled = _style_of(line)
        body = line
        if styled and styled[0] == top:
            _, label, rest = styled
            heading_only = _is_heading_only(rest)
            title = rest.strip() if heading_only else _title_before_colon(rest)
            if top == "cn_paren":
                label = f"（{label}）"
            current = Clause(label=label, title=title)
            clauses.append(current)
            item = ""
            unit += 1
            if heading_only:
                continue
            body = rest
        elif styled and current is not None:
            item = styled[1]
            unit += 1
        target = current.sentences if current is not None else preamble
        for sentence in _sentences(body):
            target.append(Sentence(sentence, current, item, number, unit))
    return Segmented(preamble, clauses, lines)

