"""A payment milestone's values from the ledger page's form or an API body, parsed once:
the same names, limits and messages on both (``core.params`` turns each into a 400 naming
its field)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from weibao.core.params import (
    BadParameter,
    json_value,
    parse_choice,
    parse_date,
    parse_money,
    parse_text,
    refuse_unknown_names,
)
from weibao.ledger.models import PaymentMilestone

DEFAULT_CLAUSE = "七.2"


#: What a JSON body may hold for each name besides text (a form holds text only).
_JSON_KINDS = {"amount": (int, float), "requires_handover": (bool,)}


def _flag(value, name: str, *, strict: bool) -> bool:
    """A checkbox ("on" when ticked, absent when not) or a JSON true/false."""
    if value is True or value == "on":
        return True
    if value is False or (not strict and value in (None, "")):
        return False
    raise BadParameter(name, _("应为 true 或 false。"))


def milestone_terms(data: Mapping, *, current: PaymentMilestone | None = None, partial: bool = False,
                    strict: bool = False) -> dict:
    """The values of ``payments.add_milestone`` / ``change_milestone``. A whole form (or a
    POST body): every value, a kind left out keeping ``current``'s, an absent checkbox false.
    ``partial`` (a PATCH body): only the names present. ``strict`` (an API body): a name
    that is not a milestone's is a 400, as is a null flag."""
    parsers = {
        "name": lambda v: parse_text(v, "name", 100, required=True),
        "kind": lambda v: parse_choice(v, "kind", PaymentMilestone.Kind.values),
        "amount": lambda v: parse_money(v, "amount"),
        "condition": lambda v: parse_text(v, "condition", 300),
        "clause": lambda v: parse_text(v, "clause", 20) or DEFAULT_CLAUSE,
        "due_on": lambda v: parse_date(v, "due_on"),
        "requires_handover": lambda v: _flag(v, "requires_handover", strict=strict and "requires_handover" in data),
    }
    if strict:
        refuse_unknown_names(data, parsers, _("付款节点"))
    names = [n for n in parsers if n in data] if partial else list(parsers)
    terms = {name: parsers[name](json_value(data, name, _JSON_KINDS.get(name, ()))) for name in names}
    if "kind" in terms and terms["kind"] is None:
        terms["kind"] = getattr(current, "kind", None)
        if terms["kind"] is None:
            raise BadParameter("kind", _("请选择一项。"))
    return terms
