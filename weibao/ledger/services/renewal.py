"""Clause 十一.2: renewal eligibility and the renewal itself — the next contract period,
linked to this one, with the team, catalogue, calendars and SLA policies carried over for
review. Later apps (rosters, monitors) add what they carry with ``register_carry_over``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.calendars.models import BusinessCalendar, HolidayDay
from weibao.contracts.access import require
from weibao.contracts.models import Contract, Membership
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.ledger import money
from weibao.ledger.models import Renewal
from weibao.ledger.terms import renewal_rules
from weibao.servicedesk.models import ServiceComponent, SlaPolicy, SupportGroup

#: kind → copier(old, new, mapping) returning how many rows it copied. ``mapping`` holds
#: {(model label, old pk): new object} for copiers that refer to earlier copies.
CARRY_OVER: dict[str, Callable] = {}


def register_carry_over(kind: str, copier: Callable) -> None:
    CARRY_OVER[kind] = copier


def chain(contract: Contract) -> list[Contract]:
    """The periods from the first to ``contract``."""
    periods = [contract]
    while periods[0].renewal_of_id is not None:
        periods.insert(0, Contract.objects.get(pk=periods[0].renewal_of_id))
    return periods


def _messages() -> dict[str, str]:
    return {
        "window_before": _("尚未进入续签窗口（合同期满前 {days} 天内）。"),
        "window_after": _("合同已期满，续签窗口已过。"),
        "count": _("续签次数已达上限（{max} 次）。"),
        "years": _("总服务期限将超过 {max} 年。"),
        "years_full": _("总服务期限已达 {max} 年。"),
    }


def eligibility(contract: Contract, today: dt.date | None = None, proposed_end: dt.date | None = None):
    periods = chain(contract)
    result = money.renewal_eligibility(
        today=today or clock.local_now().date(), first_start=periods[0].term_start, term_end=contract.term_end,
        renewals_used=len(periods) - 1, proposed_end=proposed_end, messages=_messages(),
        # The first period's terms: the limits count over the whole chain of renewals.
        rules=renewal_rules(periods[0]),
    )
    if contract.status not in (Contract.Status.ACTIVE, Contract.Status.EXPIRED):
        result.reasons.append(_("合同状态为“%(status)s”，不能续签。") % {"status": contract.get_status_display()})
    if Renewal.objects.filter(contract=contract).exists():
        result.reasons.append(_("本期合同已续签。"))
    if result.reasons and result.eligible:
        result = money.Eligibility(False, result.reasons, result.window_start, result.window_end,
                                   result.renewals_used, result.years_used)
    return result


def _copy(model, old, new, mapping, **replace) -> int:
    count = 0
    for row in model.objects.filter(contract=old).order_by("pk"):
        old_pk = row.pk
        row.pk = None
        row._state.adding = True
        row.contract = new
        for name, fn in replace.items():
            setattr(row, name, fn(row))
        row.save()
        mapping[(model._meta.label, old_pk)] = row
        count += 1
    return count


def _memberships(old, new, mapping) -> int:
    count = 0
    for m in Membership.objects.filter(contract=old, active=True):
        Membership.objects.get_or_create(contract=new, user_id=m.user_id, role=m.role)
        count += 1
    return count


def _catalogue(old, new, mapping) -> int:
    count = _copy(ServiceComponent, old, new, mapping)
    for group in SupportGroup.objects.filter(contract=old).order_by("pk"):
        members = list(group.members.all())
        old_pk = group.pk
        group.pk, group._state.adding, group.contract = None, True, new
        group.save()
        group.members.set(members)
        mapping[(SupportGroup._meta.label, old_pk)] = group
        count += 1
    return count


def _calendars(old, new, mapping) -> int:
    return _copy(BusinessCalendar, old, new, mapping) + _copy(HolidayDay, old, new, mapping)


def _sla(old, new, mapping) -> int:
    def calendar(name):
        def pick(row):
            old_id = getattr(row, f"{name}_id")
            return mapping[(BusinessCalendar._meta.label, old_id)] if old_id else None
        return pick
    return _copy(SlaPolicy, old, new, mapping, response_calendar=calendar("response_calendar"),
                 arrival_calendar=calendar("arrival_calendar"), resolution_calendar=calendar("resolution_calendar"))


register_carry_over("memberships", _memberships)
register_carry_over("catalogue", _catalogue)
register_carry_over("calendars", _calendars)
register_carry_over("sla_policies", _sla)


def renew(contract: Contract, *, number: str, term_start: dt.date, term_end: dt.date, amount: Decimal,
          reasons: str, by, today: dt.date | None = None) -> Renewal:
    """Agree a renewal: a draft contract for the next period, linked to this one, with what
    it carries over for review; this period's status becomes "renewed" when it ends."""
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    errors = {}
    if not reasons.strip():
        errors["reasons"] = _("请填写续签理由（服务规范、信誉良好的依据）。")
    if not number.strip():
        errors["number"] = _("请填写新合同编号。")
    elif Contract.objects.filter(number=number.strip()).exists():
        errors["number"] = _("该合同编号已存在。")
    if term_end < term_start:
        errors["term_end"] = _("服务结束日期不能早于开始日期。")
    if term_start <= contract.term_end:
        errors["term_start"] = _("续签期限应从本期合同期满之后开始。")
    if amount is None or amount <= 0:
        errors["amount"] = _("金额必须大于零。")
    if errors:
        raise ValidationError(errors)
    check = eligibility(contract, today, proposed_end=term_end)
    if not check.eligible:
        raise ValidationError({"renewal": check.reasons})
    with transaction.atomic():
        successor = Contract.objects.create(
            number=number.strip(), name=contract.name, procurement_number="", party_a=contract.party_a,
            party_b=contract.party_b, party_a_representative=contract.party_a_representative,
            party_a_address=contract.party_a_address, party_a_bank=contract.party_a_bank,
            party_a_account=contract.party_a_account, party_b_representative=contract.party_b_representative,
            party_b_address=contract.party_b_address, party_b_bank=contract.party_b_bank,
            party_b_account=contract.party_b_account, amount=amount, service_scope=contract.service_scope,
            term_start=term_start, term_end=term_end, status=Contract.Status.DRAFT, renewal_of=contract,
        )
        mapping: dict = {}
        carried = {kind: copier(contract, successor, mapping) for kind, copier in CARRY_OVER.items()}
        renewal = Renewal.objects.create(contract=contract, successor=successor, reasons=reasons.strip(),
                                         carried_over=carried, created_by=by)
        audit.record("ledger.renewed", obj=renewal, actor=by, contract=contract,
                     after={"successor": successor.number, "term_start": term_start.isoformat(),
                            "term_end": term_end.isoformat(), "amount": str(amount), "carried_over": carried},
                     detail={"reasons": reasons.strip()[:500]})
    return renewal
