"""The monthly snapshot of the obligations matrix: taken once a month has ended, never
changed afterwards, hash-chained per contract like the audit trail (decision 0021)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao import audit
from weibao.audit.hashing import GENESIS_HASH, digest
from weibao.contracts.access import require
from weibao.contracts.models import Contract
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.ledger.models import ObligationSnapshot
from weibao.ledger.obligations import matrix, month_bounds

ALGORITHM = "sm3"


def content_hash(contract_id: int, month: dt.date, rows, taken_at: dt.datetime, prev_hash: str) -> str:
    body = json.dumps({"contract": contract_id, "month": month.isoformat(), "rows": rows,
                       "taken_at": taken_at.astimezone(dt.UTC).isoformat(), "prev": prev_hash},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return digest(ALGORITHM, body.encode())


def take_snapshot(contract: Contract, month: dt.date, *, by=None) -> ObligationSnapshot:
    """Freeze the matrix of ``month`` (any day of it), once it has ended. Idempotent: the
    month's existing snapshot is returned unchanged."""
    require(by, contract.pk, Capability.MANAGE_LEDGER)
    first, last = month_bounds(month)
    if last >= clock.local_now().date():
        raise ValidationError({"month": _("只能为已结束的月份生成快照。")})
    existing = ObligationSnapshot.objects.filter(contract=contract, month=first).first()
    if existing is not None:
        return existing
    rows = matrix(contract, first, last)
    with transaction.atomic():
        previous = (ObligationSnapshot.objects.select_for_update().filter(contract=contract)
                    .order_by("-month").first())
        if previous is not None and previous.month > first:
            raise ValidationError({"month": _("已有更晚月份的快照，不能补做更早的月份。")})
        prev_hash = previous.hash if previous else GENESIS_HASH
        taken_at = clock.now().replace(microsecond=0)
        snapshot = ObligationSnapshot(contract=contract, month=first, rows=rows, taken_at=taken_at,
                                      prev_hash=prev_hash,
                                      hash=content_hash(contract.pk, first, rows, taken_at, prev_hash))
        try:
            with transaction.atomic():
                snapshot.save()
        except IntegrityError:
            return ObligationSnapshot.objects.get(contract=contract, month=first)
        audit.record("ledger.snapshot_sealed", obj=snapshot, actor=by, contract=contract,
                     detail={"month": first.isoformat(), "hash": snapshot.hash})
    return snapshot


def verify(contract: Contract) -> tuple[bool, dt.date | None]:
    """(intact, first bad month): recompute every snapshot's hash and the chain links."""
    prev = GENESIS_HASH
    for snapshot in ObligationSnapshot.objects.filter(contract=contract).order_by("month"):
        expected = content_hash(contract.pk, snapshot.month, snapshot.rows, snapshot.taken_at, prev)
        if snapshot.prev_hash != prev or snapshot.hash != expected:
            return False, snapshot.month
        prev = snapshot.hash
    return True, None


def snapshot_last_month(today: dt.date | None = None) -> int:
    """The monthly task: every active contract's previous month."""
    today = today or clock.local_now().date()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    count = 0
    for contract in Contract.objects.filter(status=Contract.Status.ACTIVE, term_start__lte=last_month):
        if not ObligationSnapshot.objects.filter(contract=contract, month=last_month.replace(day=1)).exists():
            take_snapshot(contract, last_month)
            count += 1
    return count
