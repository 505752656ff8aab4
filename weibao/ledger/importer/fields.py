"""Field extractors: each reads the segmented contract and returns what it found with the
sentence it came from (``Found``), or None. Plain functions, one per field or group."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from weibao.core import chinese_numbers as cn
from weibao.ledger.importer.segment import Segmented, Sentence


@dataclass
class Found:
    value: object
    sentence: Sentence | None
    notes: list[str] = field(default_factory=list)


# --- where a sentence stands ---------------------------------------------------------------

def _in_clause(sentence: Sentence, *words: str) -> bool:
    return sentence.clause is not None and any(w in sentence.clause.title for w in words)


# --- header fields: labelled lines -------------------------------------------------------

PARTY_A_LABELS = r"甲方|采购人|采购单位|采购方|发包方|发包人|委托方|委托人|买方|需方|招标人|用户单位|建设单位"
PARTY_B_LABELS = (
    r"乙方|供应商|服务单位|服务方|服务商|承包方|承包人|受托方|受托人|中标人|成交供应商|中标供应商|中标单位|卖方|供方"
)
_PAREN = r"(?:[（(][^）)]{0,12}[)）])?"
_PARTY_LINE = re.compile(
    r"^(?P<label>甲\s+方|乙\s+方|" + PARTY_A_LABELS + "|" + PARTY_B_LABELS + r")" + _PAREN + r"\s*[:：]\s*(?P<value>.*)$"
)
_REPRESENTATIVE = re.compile(
    r"^(?:[^:：]{0,8})?(?:法定代表人|法人代表|负责人|授权代表|委托代理人|代表人|法人)[^:：]{0,14}[:：]\s*(?P<value>.*)$"
)
_ADDRESS = re.compile(r"^(?:通讯地址|注册地址|联系地址|办公地址|住所地|住所|地址)\s*[:：]\s*(?P<value>.+)$")
_BANK = re.compile(
    r"(?:开户银行|开户行)(?!账号|帐号)\s*[:：]\s*(?P<value>[^\s，,；;:：]+?)(?=开户行?账号|银行账号|账号|帐号|账户名称|开户名称|户名|[\s，,；;]|$)"
)
_ACCOUNT = re.compile(r"(?:银行账号|银行帐号|开户行账号|开户账号|账\s*号|帐\s*号)\s*[:：]\s*(?P<value>[0-9][0-9 \-]{5,40}[0-9])")
_NAME_OF_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")


def _clean_value(value: str) -> str:
    value = re.sub(r"[（(](?:盖章|签字|签章|公章|签名)[)）]", "", value).strip()
    value = re.sub(r"[（(](?:以下)?简称[^）)]*[)）]", "", value).strip()  # （以下简称“甲方”）
    return value.rstrip("。；;，, ").strip()


def _party_of(label: str) -> str:
    return "a" if re.fullmatch(PARTY_A_LABELS, re.sub(r"\s", "", label)) else "b"


@dataclass
class Parties:
    name: dict = field(default_factory=dict)  # "a"/"b" → Found
    representative: dict = field(default_factory=dict)
    address: dict = field(default_factory=dict)
    bank: Found | None = None
    account: Found | None = None


def parties(doc: Segmented) -> Parties:
    """Names, representatives and addresses from the header and signature blocks: a line
    labelled 甲方/采购人… opens that party's block, and the labelled lines after it are its."""
    found = Parties()
    current = None
    for sentence in doc.sentences:
        text = sentence.folded
        match = _PARTY_LINE.match(text)
        if match:
            current = _party_of(match.group("label"))
            value = _clean_value(sentence.text[match.start("value"):])
            if value and not value.startswith(("（", "(", "[")) and len(value) >= 4 and current not in found.name:
                found.name[current] = Found(value, sentence)
            continue
        if current is None:
            continue
        match = _REPRESENTATIVE.match(text)
        if match:
            value = _clean_value(sentence.text[match.start("value"):])
            if _NAME_OF_PERSON.match(value) and current not in found.representative:
                found.representative[current] = Found(value, sentence)
            continue
        match = _ADDRESS.match(text)
        if match and current not in found.address:
            found.address[current] = Found(_clean_value(sentence.text[match.start("value"):]), sentence)
        for pattern, attr in ((_BANK, "bank"), (_ACCOUNT, "account")):
            match = pattern.search(text)
            if match and (getattr(found, attr) is None or (current == "b" and getattr(found, attr).notes == ["a"])):
                value = sentence.text[match.start("value"):match.end("value")]
                if attr == "account":
                    value = re.sub(r"[\s\-]", "", value)
                setattr(found, attr, Found(value, sentence, [current]))
    return found


_NUMBER_LABEL = re.compile(r"(?:合同编号|合同号|合同编码)\s*[:：]\s*(?P<value>[^\s，。；,;]+)")
_PROCUREMENT_LABEL = re.compile(
    r"(?:采购项目编号|政府采购计划编号|采购计划编号|采购编号|项目编号|招标编号|采购文件编号|磋商编号)\s*[:：]\s*(?P<value>[^\s，。；,;)）]+)"
)


def labelled(doc: Segmented, pattern: re.Pattern) -> Found | None:
    for sentence in doc.sentences:
        match = pattern.search(sentence.folded)
        if match:
            return Found(sentence.text[match.start("value"):match.end("value")], sentence)
    return None


def contract_number(doc: Segmented) -> Found | None:
    return labelled(doc, _NUMBER_LABEL)


def procurement_number(doc: Segmented) -> Found | None:
    return labelled(doc, _PROCUREMENT_LABEL)


_PROJECT_NAME = re.compile(r"(?:项目名称|合同名称)\s*[:：]\s*(?P<value>.+)$")
_GENERIC_TITLE = re.compile(r"^(?:政府采购)?(?:服务|技术服务|运维服务)?合\s*同\s*书?$|^合\s*同\s*书$")


def project_name(doc: Segmented) -> Found | None:
    """项目名称：… when labelled, else the contract's title line."""
    for sentence in doc.sentences:
        match = _PROJECT_NAME.search(sentence.folded)
        if match:
            return Found(_clean_value(sentence.text[match.start("value"):]), sentence)
    for sentence in doc.preamble[:12]:
        text = sentence.text.strip()
        if _GENERIC_TITLE.match(text) or re.search(r"[:：]", text) or len(text) < 8:
            continue
        if re.search(r"(?:项目|合同|合同书|协议)$", text) and not text.startswith(("根据", "依据", "甲", "乙")):
            return Found(text, sentence)
    return None


# --- amount ---------------------------------------------------------------------------------

_AMOUNT_CONTEXT = re.compile(r"合同(?:总)?(?:金额|价款|总价|价格|总额)|总(?:金额|价款|价|额)|合同价|中标(?:金额|价)|成交(?:金额|价)")


@dataclass
class Amount:
    figure: Decimal | None
    words: str | None
    words_value: Decimal | None
    sentence: Sentence

    @property
    def value(self) -> Decimal | None:
        return self.figure if self.figure is not None else self.words_value

    @property
    def words_match(self) -> bool | None:
        if self.figure is None or self.words_value is None:
            return None
        return self.figure == self.words_value


def amount(doc: Segmented) -> Amount | None:
    candidates = [s for s in doc.sentences if _in_clause(s, "金额", "价款", "价格", "总价", "费用")]
    candidates += [s for s in doc.sentences if _AMOUNT_CONTEXT.search(s.text)]
    for sentence in candidates:
        text = sentence.folded
        # 支付合同金额的30%即41.1万元 is a payment; 含6%增值税 is not.
        if "违约金" in text or (cn.find_ratios(text) and _PAY_VERB.search(text)):
            continue
        figure_match = cn._FIGURE_AMOUNT.search(text)
        figure = cn.parse_amount(figure_match.group(0)) if figure_match else None
        words = cn.find_upper_amount(text)
        words_value = cn.parse_upper_amount(words) if words else None
        if figure is None and words_value is None:
            continue
        return Amount(figure, words, words_value, sentence)
    return None


# --- dates ---------------------------------------------------------------------------------

_SIGNED_LABEL = re.compile(r"(?:签订日期|签约日期|签署日期|签订时间|签字日期|日期)\s*[:：]")
_SIGNED_PHRASE = re.compile(r"于.{0,20}?签订")


def signed_on(doc: Segmented) -> Found | None:
    """The signature block's date (the last labelled one: both parties often sign the same day)."""
    found = None
    for sentence in doc.sentences:
        if _SIGNED_LABEL.search(sentence.folded) or _SIGNED_PHRASE.search(sentence.folded):
            dates = cn.find_dates(sentence.text)
            if dates:
                found = Found(dates[-1][0], sentence)
    if found is None:
        # No label: the last date in the signature block at the end.
        for sentence in doc.sentences[-8:]:
            dates = cn.find_dates(sentence.text)
            if dates and len(sentence.text) < 40:
                found = Found(dates[-1][0], sentence)
    return found


_TERM_WORDS = re.compile(r"服务期|服务期限|合同期限|履行期限|合同期|维保期|运维期|服务时间")


def term(doc: Segmented, signed: dt.date | None) -> Found | None:
    candidates = [s for s in doc.sentences if _in_clause(s, "期限", "服务期", "履行期", "合同期")]
    candidates += [s for s in doc.sentences if _TERM_WORDS.search(s.text)]
    for sentence in candidates:
        if re.search(r"续签|续约|累计|总服务期|总期限|不得超过|不超过", sentence.text):
            continue
        parsed = cn.parse_term(sentence.text, signed)
        if parsed is not None:
            notes = ["自合同签订之日起算"] if parsed.starts_on_signing else []
            return Found(parsed, sentence, notes)
    return None


# --- payment terms ---------------------------------------------------------------------------

@dataclass
class Instalment:
    ratio: Decimal
    condition: str
    sentence: Sentence


_PAYMENT_CLAUSE = ("付款", "支付", "结算", "价款")
_PAY_VERB = re.compile(r"支付|付清|付款|拨付|结清|首付|预付|尾款|余款")
_REMAINDER = re.compile(r"剩余|余款|尾款|其余|余下")
_PERIODIC = re.compile(r"每(?:个)?(?:季度|月|半年|年度|年)|按(?:季度|月|半年|年)")
_COUNT_OF_PAYMENTS = re.compile(r"(?:共|分)(?P<n>" + cn.NUMBER + r")\s*(?:次|期)")
_BEFORE_SERVICE = re.compile(r"预付|首付|签订|签署|生效后|进场|开始前|之前")
_AFTER_SERVICE = re.compile(r"服务满|服务期满|验收|考核合格|结束|届满")
_CONDITION_NOISE = re.compile(
    r"^(?:[（(]?[0-9一二三四五六七八九十]+[)）、.]?\s*)?(?:第[一二三四五六七八九十0-9]+期|首付款|预付款|尾款|第二期|第三期)?[:：]?\s*"
)


def _condition(before: str, after: str) -> str:
    """What a payment waits for, from the words around its ratio."""
    head = re.split(r"[，,]?\s*(?:甲方|采购人)?(?:向乙方|向供应商)?(?:支付|付清|拨付)", before)[0]
    head = _CONDITION_NOISE.sub("", head).strip(" ，,：:")
    head = re.sub(r"^(?:[0-9]+\s+)?(?:首付款|预付款|尾款|第[一二三四五六七八九十0-9]+期)\s*", "", head).strip()
    if len(head) >= 4 and not re.fullmatch(r"[^，,]*合同(?:金额|总价|价款)的?", head):
        return head
    tail = re.sub(r"^(?:作为预付款|的?款项)?[，,]?\s*", "", after).strip(" 。；;，,")
    return tail or head


def instalments(doc: Segmented, total: Decimal | None = None) -> list[Instalment]:
    """Each payment's share of the total and what it waits for. "剩余部分…付清" is the
    remainder; "每季度…支付25%，共四次" is four payments; "首期支付41.1万元" is its share
    of ``total``."""
    found: list[Instalment] = []
    sentences = [s for s in doc.sentences if _in_clause(s, *_PAYMENT_CLAUSE)]
    if not sentences:
        sentences = [s for s in doc.sentences if _PAY_VERB.search(s.text) and re.search(r"合同(?:金额|总价|价款)", s.text)]
    for sentence in sentences:
        text = sentence.text
        if "违约金" in text or "发票" in text and not cn.find_ratios(text):
            continue
        ratios = cn.find_ratios(text)
        if not ratios and total and _PAY_VERB.search(text):
            # 首期支付41.1万元: an instalment written as money is its share of the total.
            written = cn._FIGURE_AMOUNT.search(sentence.folded) or cn._UPPER_AMOUNT.search(sentence.folded)
            paid = cn.parse_amount(written.group(0)) if written else None
            if paid is not None and 0 < paid <= total and not (paid == total and _AMOUNT_CONTEXT.search(text)):
                ratio = (paid / total).quantize(Decimal("0.0001")).normalize()
                found.append(Instalment(ratio, _condition(text[:written.start()], text[written.end():]), sentence))
                continue
        if not ratios:
            if found and _REMAINDER.search(text) and _PAY_VERB.search(text):
                paid = sum(i.ratio for i in found)
                if paid < 1:
                    found.append(Instalment(Decimal(1) - paid, _remainder_condition(text), sentence))
            continue
        previous_end = 0
        for value, start, end in ratios:
            if value <= 0 or value > 1:
                continue
            before = text[previous_end:start]
            clause_end = re.search(r"[，,。；;]", text[end:])
            after = text[end:end + clause_end.start()] if clause_end else text[end:]
            condition = _condition(before, after)
            repeats = 1
            counted = _COUNT_OF_PAYMENTS.search(text)
            if _PERIODIC.search(text) and counted:
                number = cn.parse_number(counted.group("n"))
                repeats = int(number) if number and 1 < number <= 24 else 1
            for _ in range(repeats):
                found.append(Instalment(value, condition, sentence))
            previous_end = end
        rest = text[previous_end:]
        if _REMAINDER.search(rest) and _PAY_VERB.search(rest):
            paid = sum(i.ratio for i in found)
            if 0 < paid < 1:
                found.append(Instalment(Decimal(1) - paid, _remainder_condition(rest), sentence))
    return found


def _remainder_condition(text: str) -> str:
    part = re.split(r"[，,]", text.split("剩余部分")[-1] if "剩余部分" in text else text)
    for piece in part:
        piece = re.sub(r"^(?:剩余部分|剩余款项|余款|尾款|其余款项)", "", piece.strip()).strip()
        piece = re.split(r"一次性|支付|付清", piece)[0].strip()
        if len(piece) >= 3:
            return re.sub(r"^在", "", piece)
    return text.strip(" 。；")


def advance_ratio(found: list[Instalment]) -> Instalment | None:
    """The first payment, if it falls due before the service (预付款, 合同签订后…)."""
    if not found:
        return None
    first = found[0]
    words = first.condition + first.sentence.text
    if _BEFORE_SERVICE.search(words) and not _AFTER_SERVICE.search(first.condition):
        return first
    return None


# --- penalties -------------------------------------------------------------------------------

@dataclass
class Penalty:
    base: str  # "contract_total" or "amount_due"
    rate: Decimal
    per: str  # "once" or "day"
    cap: Decimal | None
    sentence: Sentence


_AMOUNT_DUE = re.compile(r"需支付金额|应付|未付|逾期金额|逾期付款金额|欠付|欠款|逾期款|应支付金额|迟延支付|到期款项|逾期支付金额")
_CONTRACT_TOTAL = re.compile(r"合同总|合同金额|合同价|总价|合同总额|中标金额|成交金额|服务费总额|年度服务费")
_PER_DAY = re.compile(r"每[^，。；,]{0,6}?[日天]|按日|/日|每天|日(?:万|千|百)分之|日[0-9.]+\s*[‰%‱]")
_CAP_WORDS = re.compile(r"不超过|不得超过|不高于|为限|上限|最高|封顶|累计[^，。；]{0,10}超过")


def penalties(doc: Segmented) -> list[Penalty]:
    found: list[Penalty] = []
    table_unit, cap_column = None, False
    for sentence in doc.sentences:
        text = sentence.folded
        # A penalty table flattened to text: "违约金标准如下：" then a header row, then rows.
        if re.search(r"违约金", text) and not cn.find_ratios(text) and re.search(r"[:：]$|如下", text):
            table_unit, cap_column = sentence.unit, False
            continue
        in_table = table_unit is not None and sentence.unit == table_unit
        if in_table and not cn.find_ratios(text):
            cap_column = cap_column or bool(re.search(r"上限|封顶|最高", text))
            continue
        if not (in_table or re.search(r"违约金|扣除|罚款|扣减|赔偿金", text)):
            continue
        ratios = cn.find_ratios(text)
        if not ratios:
            continue
        rate = cap = None
        rate_start = 0
        for value, start, _end in ratios:
            segment_start = max(text.rfind(p, 0, start) for p in "，,；;。") + 1
            segment = text[segment_start:start]
            if re.search(r"达到|超过", segment) and re.search(r"解除|终止", text):
                continue  # 违约金累计达到合同总价的10%时可解除合同: a threshold, not a rate
            if rate is not None and (_CAP_WORDS.search(segment) or (in_table and cap_column)):
                cap = value
            elif rate is None and not (_CAP_WORDS.search(segment) and "违约金" not in text[start:start + 12]):
                rate, rate_start = value, start
        if rate is None:
            continue
        before = text[:rate_start]
        lead = before[max(before.rfind(p) for p in "，,；;。") + 1:] or before
        if _AMOUNT_DUE.search(lead) or (not _CONTRACT_TOTAL.search(lead) and re.search(r"逾期付款|未按[^，]{0,16}付款|逾期支付", text)):
            base = "amount_due"
        else:
            base = "contract_total"
        per = "day" if _PER_DAY.search(text[:rate_start + 12]) else "once"
        found.append(Penalty(base, rate, per, cap, sentence))
    return found


# --- periods and limits ---------------------------------------------------------------------

_REMEDY = re.compile(r"补救|整改|纠正|改正|采取措施|消除违约|履行义务")


def remedy_working_days(doc: Segmented) -> Found | None:
    for sentence in doc.sentences:
        if not _REMEDY.search(sentence.text) or "违约金" in sentence.text:
            continue
        for period, _start, _end in cn.find_periods(sentence.text):
            if period.unit == "working_day":
                return Found(period.count, sentence)
    return None


def force_majeure_days(doc: Segmented) -> Found | None:
    """Days to produce the certificate after a force-majeure event (seed clause 十.4)."""
    candidates = [s for s in doc.sentences if _in_clause(s, "不可抗力")]
    candidates += [s for s in doc.sentences if "不可抗力" in s.text or "证明" in s.text and s.clause and "不可抗力" in s.clause.title]
    for sentence in candidates:
        text = sentence.folded
        if "证明" not in text:
            continue
        periods = [(p, s, e) for p, s, e in cn.find_periods(text) if p.days is not None]
        dates_spans = [(s, e) for _, s, e in cn.find_dates(text)]
        periods = [(p, s, e) for p, s, e in periods if not any(ds <= s < de for ds, de in dates_spans)]
        for period, _start, end in periods:
            following = re.split(r"[，,。；;]", text[end:])[0]
            if "证明" in following:
                return Found(period.days, sentence)
        if periods:
            return Found(periods[-1][0].days, sentence)
    return None


_RENEWAL = re.compile(r"续签|续约|续订|续期|延续|续聘")
_RENEWAL_COUNT = re.compile(
    r"(?:续签|续约|续订|续期)(?:次数|合同)?[^，。；,]{0,8}?(?P<n>" + cn.NUMBER + r")\s*次"
)
_TOTAL_YEARS = re.compile(
    r"(?:总|累计)[^，。；,]{0,10}?(?:不得超过|不超过|不应超过|最长为?|最多)\s*(?P<n>" + cn.NUMBER + r")\s*(?:个)?(?:年|周年)"
)
_WINDOW = re.compile(r"(?:期满|到期|届满|终止|结束)(?:之日)?前\s*")


def renewal(doc: Segmented) -> dict[str, Found]:
    found: dict[str, Found] = {}
    for sentence in doc.sentences:
        text = sentence.folded
        if not (_RENEWAL.search(text) or (_in_clause(sentence, "续") and _TOTAL_YEARS.search(text))):
            continue
        match = _RENEWAL_COUNT.search(text)
        if match and "max_renewals" not in found:
            number = cn.parse_number(match.group("n"))
            if number is not None and number < 100:
                found["max_renewals"] = Found(int(number), sentence)
        match = _TOTAL_YEARS.search(text)
        if match and "max_total_years" not in found:
            number = cn.parse_number(match.group("n"))
            if number is not None and number < 100:
                found["max_total_years"] = Found(int(number), sentence)
        if "renewal_window_days" not in found:
            for window in _WINDOW.finditer(text):
                periods = cn.find_periods(text[window.end():window.end() + 12])
                if periods and periods[0][1] == 0:
                    period = periods[0][0]
                    days, notes = period.days, []
                    if period.unit == "month":
                        days, notes = period.count * 30, ["按每月30天折算"]
                    if days:
                        found["renewal_window_days"] = Found(days, sentence, notes)
                        break
    return found


_RESIDENT = re.compile(r"驻场|常驻|驻点|派驻|驻厂|现场值守人员|驻地")
_HEADCOUNT = re.compile(r"(?:不少于|不低于|至少|不得少于)?\s*(?P<n>" + cn.NUMBER + r")\s*(?:名|人|位)")


def min_resident_staff(doc: Segmented) -> Found | None:
    best = None
    for sentence in doc.sentences:
        text = sentence.folded
        if not _RESIDENT.search(text) or "违约金" in text:
            continue
        for match in _HEADCOUNT.finditer(text):
            number = cn.parse_number(match.group("n"))
            if number is None or not 0 < number < 500 or number != number.to_integral_value():
                continue
            strong = bool(re.search(r"不少于|不低于|至少|不得少于", match.group(0)))
            candidate = Found(int(number), sentence)
            if strong:
                return candidate
            if best is None:
                best = candidate
            break
    return best

