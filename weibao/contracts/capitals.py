"""The 人民币大写 (financial upper-case) form of an amount, to check the words written in a
signed contract against its figure.

A small private formatter: the importer's general Chinese-number module
(``core.chinese_numbers``, issue 16 item 2) parses every written form; this one only writes
the standard form (GB/T 15835 / 《支付结算办法》附件 style) and compares.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _four(group: int) -> str:
    """0 < group < 10000, with 零 for inner gaps ("壹仟零伍")."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _UNITS[position]
    return text


def _yuan_in_words(amount: Decimal) -> str:
    """``Decimal("1370000.00")`` → "壹佰叁拾柒万元整"; ``Decimal("0.05")`` → "伍分"."""
    fen_total = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if fen_total < 0:
        raise ValueError("negative amount")
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    text = ""
    if yuan:
        groups = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or group < 1000):
                text += "零"
            text += _four(group) + _GROUPS[index]
            pending_zero = False
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text


_NOISE = re.compile(r"[\s（）()：:]|人民币|大写|圆")


def _normal(words: str) -> str:
    # 圆 and 元 are both correct; "整"/"正" both end an amount without jiao and fen.
    return _NOISE.sub(lambda m: "元" if m.group() == "圆" else "", words).replace("正", "整")


def words_match(amount: Decimal, words: str) -> bool:
    """Whether ``words`` (as written in the contract) say ``amount``. Blank words: no claim."""
    if not words.strip():
        return True
    return _normal(words) == _normal(_yuan_in_words(amount))
