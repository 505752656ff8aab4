"""A payment milestone's values from the ledger page's form or an API body, parsed once:
the same names, limits and messages on both (``core.params`` turns each into a 400 naming
its field)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from weibao.core.params import BadParameter, parse_choice, parse_date, parse_money, parse_text
from weibao.ledger.models import PaymentMilestone

DEFAULT_CLAUSE = "七.2"


def _scalar(data: Mapping, name: str):
    """A JSON body may hold a list or an object where a value belongs: a 400, not its text."""
    value = data.get(name)
    if isinstance(value, (list, dict)):
        raise BadParameter(name, _("应为单个值。"))
    if isinstance(value, float):
        value = repr(value)  # 1234.5 → "1234.5" (shortest exact form; money stays Decimal)
    return value


def _flag(value, name: str) -> bool:
    """A checkbox ("on" when ticked, absent when not) or a JSON true/false."""
    if value is True or value == "on":
        return True
    if value is False or value is None or value == "":
        return False
    raise BadParameter(name, _("应为 true 或 false。"))


def milestone_terms(data: Mapping, *, current: PaymentMilestone | None = None, partial: bool = False) -> dict:
    """The values of ``payments.add_milestone`` / ``change_milestone``. A whole form (or a
    POST body): every value, a kind left out keeping ``current``'s, an absent checkbox false.
    ``partial`` (a PATCH body): only the names present."""
    parsers = {
        "name": lambda v: parse_text(v, "name", 100, required=True),
        "kind": lambda v: parse_choice(v, "kind", PaymentMilestone.Kind.values),
        "amount": lambda v: parse_money(v, "amount"),
        "condition": lambda v: parse_text(v, "condition", 300),
        "clause": lambda v: parse_text(v, "clause", 20) or DEFAULT_CLAUSE,
        "due_on": lambda v: parse_date(v, "due_on"),
        "requires_handover": lambda v: _flag(v, "requires_handover"),
    }
    names = [n for n in parsers if n in data] if partial else list(parsers)
    terms = {name: parsers[name](_scalar(data, name)) for name in names}
    if "kind" in terms and terms["kind"] is None:
        terms["kind"] = getattr(current, "kind", None)
        if terms["kind"] is None:
            raise BadParameter("kind", _("请选择一项。"))
    return terms
