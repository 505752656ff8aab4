"""A contract's periods and limits: its own ``ContractTerms`` row, or the seed's numbers."""

from __future__ import annotations

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
