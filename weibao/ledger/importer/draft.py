"""The draft of a contract read from its text: every field with the sentence it came from,
the clauses nothing was read from, and warnings for a person to check. Nothing is stored."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from weibao.core.chinese_numbers import amount_in_words, format_money, format_ratio
from weibao.ledger.importer import fields as f
from weibao.ledger.importer.obligations import obligation_sentences, obligations
from weibao.ledger.importer.segment import Segmented, Sentence, segment

# The draft's scalar fields, in the order a person reads them (the page shows them so).
SCALAR_FIELDS = [
    "number", "name", "procurement_number", "party_a", "party_a_representative", "party_a_address",
    "party_b", "party_b_representative", "party_b_address", "bank", "account",
    "amount", "amount_in_words", "amount_words_match", "signed_on", "start", "end",
    "advance_ratio", "remedy_working_days", "force_majeure_days",
    "max_renewals", "max_total_years", "renewal_window_days", "min_resident_staff",
]


def build_draft(text: str) -> dict:
    """Read a contract's text into the draft the API answers and the page shows."""
    doc = segment(text)
    values: dict[str, object] = {name: None for name in SCALAR_FIELDS}
    sources: dict[str, str] = {}
    used: set[int] = set()
    warnings: list[str] = []

    def put(name: str, value, sentence: Sentence | None):
        values[name] = value
        if sentence is not None:
            sources[name] = sentence.text
            used.add(id(sentence))

    for name, extractor in (
        ("number", f.contract_number), ("procurement_number", f.procurement_number), ("name", f.project_name),
    ):
        found = extractor(doc)
        if found:
            put(name, found.value, found.sentence)

    people = f.parties(doc)
    for side in ("a", "b"):
        for attr, name in (("name", f"party_{side}"), ("representative", f"party_{side}_representative"),
                           ("address", f"party_{side}_address")):
            found = getattr(people, attr).get(side)
            if found:
                put(name, found.value, found.sentence)
    for name in ("bank", "account"):
        found = getattr(people, name)
        if found:
            put(name, found.value, found.sentence)

    money = f.amount(doc)
    if money is not None:
        put("amount", format_money(money.value) if money.value is not None else None, money.sentence)
        if money.words:
            put("amount_in_words", money.words, money.sentence)
        put("amount_words_match", money.words_match, money.sentence)
        if money.words_match is False:
            warnings.append(
                _("大写金额“%(words)s”（%(words_value)s元）与小写金额 %(figure)s 元不一致，请核对合同原件。")
                % {"words": money.words, "words_value": format_money(money.words_value), "figure": format_money(money.figure)}
            )
        elif money.words is None and money.figure is not None:
            warnings.append(_("合同未写大写金额；按小写金额应为“%(words)s”。") % {"words": amount_in_words(money.figure)})

    signed = f.signed_on(doc)
    if signed:
        put("signed_on", signed.value.isoformat(), signed.sentence)
    term = f.term(doc, signed.value if signed else None)
    if term:
        parsed = term.value
        put("start", parsed.start.isoformat() if parsed.start else None, term.sentence)
        put("end", parsed.end.isoformat() if parsed.end else None, term.sentence)
        if parsed.starts_on_signing:
            warnings.append(
                _("服务期自合同签订之日起算，开始日期取签订日期，请核对。") if parsed.start
                else _("服务期自合同签订之日起算，但未找到签订日期：请填写开始和结束日期。")
            )

    payments = f.instalments(doc, money.value if money is not None else None)
    for payment in payments:
        used.add(id(payment.sentence))
    if payments:
        sources["instalments"] = payments[0].sentence.text
        total = sum((p.ratio for p in payments), Decimal(0))
        if total != 1:
            warnings.append(_("各期付款比例合计为 %(total)s，不等于 100%%，请核对。") % {"total": format_ratio(total)})
    advance = f.advance_ratio(payments)
    if advance:
        put("advance_ratio", format_ratio(advance.ratio), advance.sentence)

    rules = f.penalties(doc)
    for rule in rules:
        used.add(id(rule.sentence))
    if rules:
        sources["penalties"] = rules[0].sentence.text

    for name, extractor in (
        ("remedy_working_days", f.remedy_working_days), ("force_majeure_days", f.force_majeure_days),
        ("min_resident_staff", f.min_resident_staff),
    ):
        found = extractor(doc)
        if found:
            put(name, found.value, found.sentence)
    for name, found in f.renewal(doc).items():
        put(name, found.value, found.sentence)
        warnings.extend(found.notes)

    duties = obligations(doc)
    used.update(id(s) for s in obligation_sentences(doc))

    return {
        **values,
        "instalments": [
            {"ratio": format_ratio(p.ratio), "condition": p.condition, "clause": p.sentence.reference, "source": p.sentence.text}
            for p in payments
        ],
        "penalties": [
            {
                "clause": r.sentence.reference, "base": r.base, "rate": format_ratio(r.rate), "per": r.per,
                "cap": format_ratio(r.cap) if r.cap is not None else None, "source": r.sentence.text,
            }
            for r in rules
        ],
        "obligations": [
            {"key": d.key, "label": d.label, "clause": d.sentence.reference, "detail": d.detail, "source": d.sentence.text}
            for d in duties
        ],
        "sources": sources,
        "unrecognised": unrecognised(doc, used),
        "warnings": [str(w) for w in warnings],
    }


def unrecognised(doc: Segmented, used: set[int]) -> list[str]:
    """The clauses (or items of a clause) nothing was read from, as written: a person reads
    them, nothing is silently dropped."""
    units: dict[int, list[Sentence]] = {}
    for clause in doc.clauses:
        for sentence in clause.sentences:
            units.setdefault(sentence.unit, []).append(sentence)
    left = []
    for sentences in units.values():
        if any(id(s) in used for s in sentences):
            continue
        clause, item = sentences[0].clause, sentences[0].item
        head = f"{clause.label}.{item}" if item else clause.label
        if clause.title and not item:
            head = f"{head} {clause.title}"
        elif clause.title:
            head = f"{head}（{clause.title}）"
        left.append(f"{head}：{''.join(s.text for s in sentences)}")
    return left
