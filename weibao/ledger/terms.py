"""A contract's periods and limits: its own ``ContractTerms`` row, or the seed's numbers;
the PM corrects them (``save_terms``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.contracts import services as contract_services
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core.chinese_numbers import format_ratio
from weibao.ledger.models import ContractTerms
from weibao.ledger.money import RenewalRules


def terms_for(contract) -> ContractTerms:
    """The contract's terms; an unsaved row with the seed's defaults when it has none
    (九.1: 5 working days; 十.4: 15 days; 十一.2: 15 days, two renewals, three years)."""
    return ContractTerms.objects.filter(contract=contract).first() or ContractTerms(contract=contract)


def renewal_rules(contract) -> RenewalRules:
    terms = terms_for(contract)
    return RenewalRules(window_days=terms.renewal_window_days, max_renewals=terms.max_renewals,
                        max_total_years=terms.max_total_years)


#: The periods and limits a PM may correct, with the range each may take.
LIMITS = {
    "remedy_working_days": (1, 365),
    "force_majeure_days": (1, 365),
    "max_renewals": (0, 20),
    "max_total_years": (1, 50),
    "renewal_window_days": (1, 365),
    "min_resident_staff": (0, 999),
}


def _as_written(terms: ContractTerms) -> dict[str, str | int | None]:
    written = {name: getattr(terms, name) for name in LIMITS}
    written["advance_ratio"] = None if terms.advance_ratio is None else format_ratio(terms.advance_ratio)
    return written


@transaction.atomic
def save_terms(contract, *, by, **values) -> ContractTerms:
    """Correct the contract's periods and limits (the import misread them, or a supplementary
    agreement changed them); audited, before and after. Deadlines already set (a breach
    notice's remedy day) keep theirs; what is computed from now on uses the new numbers."""
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    unknown = set(values) - set(LIMITS) - {"advance_ratio"}
    if unknown:
        raise TypeError(f"unknown terms: {sorted(unknown)}")
    errors = {}
    for name, value in values.items():
        if name in LIMITS and not LIMITS[name][0] <= value <= LIMITS[name][1]:
            errors[name] = _("应在 %(low)d 至 %(high)d 之间。") % {"low": LIMITS[name][0], "high": LIMITS[name][1]}
    ratio = values.get("advance_ratio")
    if ratio is not None and not 0 < ratio < 1:
        errors["advance_ratio"] = _("预付款比例应大于 0、小于 1。")
    if errors:
        raise ValidationError(errors)
    contract_services.lock(contract)  # two PMs saving at once: the first save creates the row
    terms = ContractTerms.objects.filter(contract=contract).first() or ContractTerms(contract=contract)
    before = _as_written(terms)  # unsaved: the seed's numbers, which the page showed
    for name, value in values.items():
        setattr(terms, name, value)
    terms.save()
    after = _as_written(terms)
    if after != before:
        audit.record("ledger.terms_changed", obj=contract, actor=by, contract=contract, before=before, after=after)
    return terms
