"""Shift handovers (交接班): the outgoing person writes the open items (linked tickets)
and notes, the incoming one acknowledges; one left unacknowledged is flagged."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext as _

from weibao.audit import services as audit
from weibao.contracts.access import can, require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.notifications.services import notify
from weibao.oncall.models import Handover
from weibao.servicedesk.models import Ticket

#: A handover not acknowledged within this long is flagged on the pages and home panel.
ACK_WITHIN = dt.timedelta(hours=1)


def is_flagged(handover: Handover, at: dt.datetime | None = None) -> bool:
    return handover.acknowledged_at is None and (at or clock.now()) - handover.created_at > ACK_WITHIN


def unacknowledged(contract, at: dt.datetime | None = None):
    """Handovers still waiting for the incoming person longer than ``ACK_WITHIN``."""
    return Handover.objects.filter(
        contract=contract, acknowledged_at__isnull=True, created_at__lt=(at or clock.now()) - ACK_WITHIN
    ).select_related("outgoing", "incoming")


def write(contract, *, incoming, notes: str, ticket_numbers=(), schedule=None, by) -> Handover:
    require(by, contract.pk, Capability.WRITE_HANDOVER)
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": _("请填写交班说明。")})
    if incoming is None or not can(incoming, contract.pk, Capability.WRITE_HANDOVER):
        raise ValidationError({"incoming": _("接班人须为本合同乙方人员。")})
    if by is not None and incoming.pk == by.pk:
        raise ValidationError({"incoming": _("接班人不能是自己。")})
    numbers = [n.strip() for n in ticket_numbers if n and n.strip()]
    tickets = list(Ticket.objects.filter(contract=contract, number__in=numbers))
    missing = sorted(set(numbers) - {t.number for t in tickets})
    if missing:
        # Another contract's ticket number is answered like one that does not exist.
        raise ValidationError({"tickets": _("找不到工单：%(numbers)s") % {"numbers": "、".join(missing)}})
    if schedule is not None and schedule.contract_id != contract.pk:
        raise ValidationError({"schedule": _("值班表不存在。")})
    with transaction.atomic():
        handover = Handover.objects.create(
            contract=contract, outgoing=by, incoming=incoming, notes=notes[:5000], schedule=schedule
        )
        handover.tickets.set(tickets)
        audit.record("oncall.handover.written", obj=handover, actor=by, contract=contract,
                     after={"incoming": incoming.pk, "tickets": [t.number for t in tickets]})
        notify(incoming, subject=_("请确认接班：%(who)s 的交班记录") % {"who": by},
               body=notes[:200], contract=contract, link="/oncall/handovers/", kind="oncall.handover",
               dedup_key=f"oncall-handover:{handover.pk}")
    return handover


def acknowledge(handover: Handover, *, by) -> Handover:
    require(by, handover.contract_id, Capability.WRITE_HANDOVER)
    if by is None or by.pk != handover.incoming_id:
        raise PermissionDenied(_("只有接班人可以确认接班。"))
    if handover.acknowledged_at is not None:
        return handover
    handover.acknowledged_at = clock.now()
    handover.save(update_fields=["acknowledged_at"])
    audit.record("oncall.handover.acknowledged", obj=handover, actor=by, contract=handover.contract)
    return handover


def mine_first(contract, user):
    """The contract's handovers, those waiting for ``user`` first."""
    return Handover.objects.filter(contract=contract).select_related("outgoing", "incoming").prefetch_related(
        "tickets").order_by(
        # Waiting for me, then the rest, newest first.
        Case(When(Q(incoming=user, acknowledged_at__isnull=True), then=Value(0)), default=Value(1)),
        "-created_at",
    )
