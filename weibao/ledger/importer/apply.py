"""Confirming a draft: the one place a contract is created from imported text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts.models import Contract
from weibao.core.chinese_numbers import format_money
from weibao.ledger.importer.access import require_import
from weibao.ledger.models import ContractTerms, PaymentMilestone, PenaltyRule

# Draft field → (Contract field, max length, required). The lead extends this once the
# full contract record (addresses, terms, penalties…) lands with the rest of issue 16.
TEXT_FIELDS = {
    "number": ("number", 64, True),
    "name": ("name", 300, True),
    "procurement_number": ("procurement_number", 64, False),
    "party_a": ("party_a", 200, True),
    "party_b": ("party_b", 200, True),
    "party_a_representative": ("party_a_representative", 100, False),
    "bank": ("party_b_bank", 200, False),
    "account": ("party_b_account", 64, False),
}
MAX_AMOUNT = Decimal("999999999999.99")  # Contract.amount: 14 digits, 2 decimals
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _text(draft: dict, name: str, limit: int, required: bool, errors: dict) -> str:
    value = draft.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[name] = _("必填。")
    elif len(value) > limit:
        errors[name] = _("最多 %(n)s 个字符。") % {"n": limit}
    return value


def _date(draft: dict, name: str, required: bool, errors: dict) -> dt.date | None:
    value = draft.get(name)
    if value in (None, ""):
        if required:
            errors[name] = _("必填。")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = _("日期格式应为 YYYY-MM-DD。")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[name] = _("年份应在 %(a)s 至 %(b)s 之间。") % {"a": FIRST_YEAR, "b": LAST_YEAR}
        return None
    return day


def _amount(draft: dict, errors: dict) -> Decimal | None:
    value = draft.get("amount")
    if value in (None, ""):
        errors["amount"] = _("必填。")
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors["amount"] = _("金额应为数字，如 1370000.00。")
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("金额应在 0 至 %(max)s 元之间，最多两位小数。") % {"max": format_money(MAX_AMOUNT)}
        return None
    return amount


# What the person confirmed, also kept whole in the audit record (the sentences included).
TERMS = ("party_a_address", "party_b_address", "party_b_representative", "amount_in_words", "advance_ratio",
         "remedy_working_days", "force_majeure_days", "max_renewals", "max_total_years", "renewal_window_days",
         "min_resident_staff", "instalments", "penalties", "obligations")


def _bounded(value, depth: int = 0):
    if isinstance(value, str):
        return value[:500]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, dict) and depth < 2:
        return {str(k)[:50]: _bounded(v, depth + 1) for k, v in list(value.items())[:20]}
    if isinstance(value, (list, tuple)) and depth < 2:
        return [_bounded(v, depth + 1) for v in value[:50]]
    return str(value)[:500]


def _terms(draft: dict) -> dict:
    return {name: _bounded(draft.get(name)) for name in TERMS if draft.get(name) not in (None, "", [])}


def create_contract_from_draft(draft: dict, by) -> Contract:
    """Create the contract a person confirmed from an import draft (audited). The contract
    starts as a draft (草稿) with no members: the security administrator assigns the team,
    since nobody grants themselves a role (decision 0012). Raises ValidationError naming
    each wrong field, PermissionDenied for someone who may not import."""
    require_import(by)
    if not isinstance(draft, dict):
        raise ValidationError({"draft": _("草稿格式不正确。")})
    errors: dict[str, str] = {}
    values = {
        target: _text(draft, name, limit, required, errors)
        for name, (target, limit, required) in TEXT_FIELDS.items()
    }
    amount = _amount(draft, errors)
    start = _date(draft, "start", True, errors)
    end = _date(draft, "end", True, errors)
    signed = _date(draft, "signed_on", False, errors)
    if start and end and end < start:
        errors["end"] = _("服务结束日期不能早于开始日期。")
    if values["number"] and Contract.objects.filter(number=values["number"]).exists():
        errors["number"] = _("合同编号 %(number)s 已存在。") % {"number": values["number"]}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            contract = Contract.objects.create(
                **values, amount=amount, term_start=start, term_end=end, signed_on=signed,
                status=Contract.Status.DRAFT,
            )
            _store_terms(contract, draft)
            audit.record(
                "ledger.contract_imported",
                obj=contract,
                actor=by,
                contract=contract,
                after={
                    **values, "amount": format_money(amount), "term_start": start.isoformat(),
                    "term_end": end.isoformat(), "signed_on": signed.isoformat() if signed else None,
                    "amount_words_match": draft.get("amount_words_match"),
                },
                detail={"confirmed_terms": _terms(draft)},
            )
    except IntegrityError as exc:  # the same number confirmed twice at once
        raise ValidationError({"number": _("合同编号 %(number)s 已存在。") % {"number": values["number"]}}) from exc
    return contract


# -- the confirmed terms as the ledger's data ---------------------------------------------

TERM_NUMBERS = ("remedy_working_days", "force_majeure_days", "max_renewals", "max_total_years",
                "renewal_window_days", "min_resident_staff")
PENALTY_BASES = {"contract_total": PenaltyRule.Base.CONTRACT_TOTAL, "total": PenaltyRule.Base.CONTRACT_TOTAL,
                 "amount_due": PenaltyRule.Base.AMOUNT_DUE}


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() and number >= 0 else None


def _small_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1000 else None


def _store_terms(contract: Contract, draft: dict) -> None:
    """The periods and limits, the payment schedule and the penalty rules the person
    confirmed, as the ledger's records: what the ledger's services then compute with.
    A value that is missing or malformed keeps the ledger's default."""
    sources = draft.get("sources") if isinstance(draft.get("sources"), dict) else {}
    terms = ContractTerms(contract=contract, advance_ratio=_decimal(draft.get("advance_ratio")),
                          sources={str(k)[:50]: str(v)[:500] for k, v in list(sources.items())[:60]})
    for name in TERM_NUMBERS:
        if (number := _small_int(draft.get(name))) is not None:
            setattr(terms, name, number)
    terms.save()
    instalments = [i for i in draft.get("instalments") or [] if isinstance(i, dict)]
    for position, instalment in enumerate(instalments[:24], start=1):
        ratio = _decimal(instalment.get("ratio"))
        if ratio is None or not 0 < ratio <= 1:
            continue
        last = position == len(instalments)
        kind = (PaymentMilestone.Kind.ADVANCE if position == 1 and len(instalments) > 1
                else PaymentMilestone.Kind.FINAL if last else PaymentMilestone.Kind.INSTALMENT)
        condition = str(instalment.get("condition") or "")[:300]
        PaymentMilestone.objects.create(
            contract=contract, sequence=position, kind=kind, name=str(kind.label), ratio=ratio,
            amount=(contract.amount * ratio).quantize(Decimal("0.01")), condition=condition,
            clause=str(instalment.get("clause") or "")[:20] or "七.2",
            requires_handover=last and "交接" in condition,
        )
    for position, penalty in enumerate([p for p in draft.get("penalties") or [] if isinstance(p, dict)][:20], 1):
        rate = _decimal(penalty.get("rate"))
        if rate is None:
            continue
        source = str(penalty.get("source") or "")
        PenaltyRule.objects.create(
            contract=contract, key=f"imported-{position}", name=source[:100] or _("违约金"),
            clause=str(penalty.get("clause") or "")[:20],
            liable=PenaltyRule.Party.A if source.startswith(("甲方", "采购人")) or "甲方未" in source
            else PenaltyRule.Party.B,
            base=PENALTY_BASES.get(str(penalty.get("base")), PenaltyRule.Base.CONTRACT_TOTAL),
            rate=rate, per=PenaltyRule.Per.DAY if penalty.get("per") == "day" else PenaltyRule.Per.ONCE,
            cap=_decimal(penalty.get("cap")),
        )
