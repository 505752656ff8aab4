"""Demo reveals of requesters' phones, so the auditor's list of reveals (/audit/reveals/)
has something to show: the hotline agent calls two citizens back, each with a reason."""

from __future__ import annotations

from weibao.audit.models import AuditRecord
from weibao.audit.selectors import REVEAL_ACTIONS
from weibao.contracts.models import Membership
from weibao.contracts.roles import ContractRole
from weibao.servicedesk.models import Ticket
from weibao.servicedesk.services import tickets

REASONS = ["回访来电群众，确认问题已解决", "核实投诉内容，需电话联系请求人"]


def load(contracts) -> None:
    for contract in contracts.values():
        if AuditRecord.objects.filter(contract_id=contract.pk, action__in=REVEAL_ACTIONS).exists():
            continue  # loaded before: safe to load twice
        member = (Membership.objects.filter(contract=contract, role=ContractRole.HOTLINE_AGENT, active=True)
                  .select_related("user").order_by("pk").first())
        if member is None:
            continue
        called = Ticket.objects.filter(contract=contract).exclude(requester_phone="").order_by("pk")[: len(REASONS)]
        for ticket, reason in zip(called, REASONS, strict=False):
            tickets.reveal(ticket, "requester_phone", by=member.user, reason=reason)
