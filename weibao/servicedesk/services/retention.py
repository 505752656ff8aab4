"""Retention of requesters' personal data (PIPL art. 19 and 47: kept no longer than the
purpose needs), decision 0026.

``WEIBAO_PERSONAL_DATA_RETENTION_DAYS`` after a ticket ended (closed, or cancelled), its
requester is anonymised: the name becomes 匿名, phone and e-mail are cleared, and with them
the search hashes; ``ticket.requesters_anonymised`` tells the apps that keep copies (the
mail channel's addresses) to clear theirs. The ticket itself (subject, history, SLA figures) stays: the contract's
figures and the bureau's evidence do not depend on who asked. ``report`` is the dry run;
``anonymise`` applies it and audits, per contract, how many and which tickets — never a value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce

from weibao.audit import services as audit
from weibao.audit.models import AuditRecord
from weibao.core import clock, events
from weibao.servicedesk.models import Status, Ticket

ANONYMOUS = "匿名"
BATCH = 500


@dataclass(frozen=True)
class ContractDue:
    """What retention anonymises (or anonymised) in one contract."""

    contract_id: int
    contract_number: str
    contract_name: str
    tickets: int
    oldest_end: dt.datetime


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Tickets that ended at or before this moment are past the retention period."""
    return (now or clock.now()) - dt.timedelta(days=settings.WEIBAO_PERSONAL_DATA_RETENTION_DAYS)


def due(now: dt.datetime | None = None) -> QuerySet:
    """The tickets whose requester is past the retention period and not yet anonymised."""
    limit = cutoff(now)
    return Ticket.objects.filter(requester_anonymised_at__isnull=True).filter(
        Q(status=Status.CLOSED, closed_at__lte=limit)
        # A cancelled ticket has no closing time: it ended when it was last changed.
        | Q(status=Status.CANCELLED, updated_at__lte=limit)
    )


def report(now: dt.datetime | None = None) -> list[ContractDue]:
    """The dry run: per contract, how many requesters would be anonymised now, and the
    oldest end among their tickets. Changes nothing."""
    rows = (
        due(now).values("contract_id", "contract__number", "contract__name")
        .annotate(tickets=Count("id"), oldest=Min(Coalesce("closed_at", "updated_at")))
        .order_by("contract__number")
    )
    return [
        ContractDue(r["contract_id"], r["contract__number"], r["contract__name"], r["tickets"], r["oldest"])
        for r in rows
    ]


def anonymise(now: dt.datetime | None = None) -> list[ContractDue]:
    """Anonymise every requester past the retention period; what was done, per contract.
    Each batch is one transaction with its audit record (contract, count, ticket ids)."""
    now = now or clock.now()
    done = report(now)
    for contract in done:
        while True:
            with transaction.atomic():
                batch = list(
                    due(now).filter(contract_id=contract.contract_id).select_for_update()
                    .order_by("pk")[:BATCH]
                )
                if not batch:
                    break
                for ticket in batch:
                    ticket.requester_name = ANONYMOUS
                    ticket.requester_phone = ""
                    ticket.requester_email = ""
                    ticket.requester_anonymised_at = now
                    # The keyed hashes follow their sources (PersonalDataModel.save).
                    ticket.save(update_fields=[
                        "requester_name", "requester_phone", "requester_email", "requester_anonymised_at",
                    ])
                audit.record(
                    "ticket.personal_data.anonymise", contract=contract.contract_id,
                    object_type="servicedesk.ticket", object_repr=contract.contract_number,
                    detail={
                        "count": len(batch),
                        "ticket_ids": [t.pk for t in batch],
                        "retention_days": settings.WEIBAO_PERSONAL_DATA_RETENTION_DAYS,
                        "ended_before": cutoff(now).isoformat(),
                    },
                )
                events.publish("ticket.requesters_anonymised", contract=batch[0].contract,
                               payload={"ticket_ids": [t.pk for t in batch]})
    return done


def last_runs(contract_ids, limit: int = 10):
    """The latest anonymisations in these contracts, from the audit trail (newest first)."""
    return AuditRecord.objects.filter(
        action="ticket.personal_data.anonymise", contract_id__in=list(contract_ids)
    ).order_by("-id")[:limit]
