"""The vendor's service obligations a contract states (the clause map in domain.md):
each with the sentence that states it and the figures it names (response minutes…)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from weibao.core import chinese_numbers as cn
from weibao.ledger.importer.segment import Segmented, Sentence

# key → (label, pattern). Order is the order shown.
OBLIGATIONS: list[tuple[str, object, re.Pattern]] = [
    ("hotline_7x24", _("7×24小时服务热线/在线支持"), re.compile(r"7\s*(?:天|日)?\s*[×xX*]\s*24|全天候|24\s*小时(?:不间断|在线|值守|热线|电话)")),
    ("response_time", _("响应与解决时限"), re.compile(r"响应时间|响应时限|实时响应|(?:分钟|小时)内(?:响应|到达|到场|解决|排除|修复)|及时响应")),
    ("resident_on_site", _("驻场服务"), re.compile(r"驻场|常驻|派驻|驻点")),
    ("holiday_duty", _("节假日值守"), re.compile(r"节假日[^。；]{0,40}(?:值守|值班|驻岗|专人)|(?:值守|值班)[^。；]{0,20}节假日")),
    ("reports", _("运维报告"), re.compile(r"月报|周报|季报|(?:运维|服务|工作|分析|总结)[^。；，]{0,6}报告")),
    ("training", _("技术培训"), re.compile(r"培训")),
    ("emergency_plan", _("应急预案与演练"), re.compile(r"应急预案|应急演练|应急处理方案|应急预警|应急响应机制")),
    ("project_manager", _("项目经理"), re.compile(r"项目经理")),
    ("insurance", _("人员保险"), re.compile(r"保险")),
    ("confidentiality", _("保密"), re.compile(r"保密")),
    ("data_change_approval", _("数据变更须经甲方同意"), re.compile(r"未经(?:甲方|采购人)[^。；]{0,6}同意[^。；]{0,12}(?:修改|变更|利用|删除)[^。；]{0,12}数据")),
    ("no_subcontracting", _("禁止转包分包"), re.compile(r"转包|分包|转让分包")),
]
# One pass over a sentence tells whether any obligation is named in it at all.
_ANY = re.compile("|".join(f"(?:{pattern.pattern})" for _key, _label, pattern in OBLIGATIONS))
_PENALTY_WORDS = re.compile(r"违约金|违约责任")
_TIME_LIMIT = re.compile(r"(?P<n>" + cn.NUMBER + r")\s*(?P<unit>分钟|小时|个小时)内?(?P<what>响应|到达现场|到达|到场|解决|排除故障|排除|修复)")


@dataclass
class Obligation:
    key: str
    label: str
    sentence: Sentence
    detail: str = ""


def _detail(key: str, text: str) -> str:
    if key != "response_time":
        return ""
    limits = []
    for match in _TIME_LIMIT.finditer(cn.fold(text)):
        number = cn.parse_number(match.group("n"))
        if number is not None:
            unit = "分钟" if match.group("unit") == "分钟" else "小时"
            limits.append(f"{match.group('what')} {number}{unit}")
    return "；".join(limits)


def obligations(doc: Segmented) -> list[Obligation]:
    found: dict[str, Obligation] = {}
    for sentence in doc.sentences:
        text = sentence.folded
        # A penalty clause names an obligation only to punish its breach.
        if not _ANY.search(text) or _PENALTY_WORDS.search(text) or (sentence.clause and "违约" in sentence.clause.title):
            continue
        for key, label, pattern in OBLIGATIONS:
            if key not in found and pattern.search(text):
                found[key] = Obligation(key, str(label), sentence, _detail(key, text))
            elif key == "response_time" and key in found and not found[key].detail and _detail(key, text):
                found[key] = Obligation(key, str(label), sentence, _detail(key, text))
    return [found[key] for key, _label, _pattern in OBLIGATIONS if key in found]


def obligation_sentences(doc: Segmented) -> list[Sentence]:
    """Every sentence that states one of the obligations (not only the first of each)."""
    return [s for s in doc.sentences if _ANY.search(s.folded) and not _PENALTY_WORDS.search(s.folded)]
