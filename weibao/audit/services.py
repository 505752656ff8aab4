"""``record()``: the one way anything lands in the audit trail; ``verify_chain()`` checks it."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from weibao.audit import keys
from weibao.audit.hashing import GENESIS_HASH, chain_hash, content_hash, same, written_mac
from weibao.audit.models import AuditChainHead, AuditRecord, ChainError, Seal
from weibao.core import clock, request_context

if TYPE_CHECKING:
    from weibao.audit.anchors import Anchor

log = logging.getLogger(__name__)


def _json_safe(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A model's field values as JSON-safe data, for ``before=`` / ``after=``."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password", "totp_secret"}:
            continue  # secrets never enter the trail
        data[field.attname] = field.value_from_object(instance)
    return _json_safe(data)


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, as a (before, after) pair."""
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    actor=None,
    contract=None,
    outcome: str = AuditRecord.Outcome.SUCCESS,
    before: dict | None = None,
    after: dict | None = None,
    detail: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_username: str = "",
) -> AuditRecord:
    """Append one record to the trail.

    Who and from where default to the current request. The record joins the caller's
    transaction, so a rolled-back action leaves no record — except failures that must
    survive (failed logins), which callers record outside their transaction. It is
    sealed into the hash chain right after that transaction commits, or at once, by
    ``WEIBAO_AUDIT_SEALING``.
    """
    ctx = request_context.current()
    if actor is None:
        actor = ctx.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
        if contract is None:
            contract = _contract_of(obj)
    entry = AuditRecord(
        at=clock.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
        action=action,
        outcome=outcome,
        # An int, as it reads back from the database: the writer's MAC covers it.
        contract_id=int(getattr(contract, "pk", contract)) if contract is not None else None,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:300],
        ip=ctx.ip[:64],
        user_agent=ctx.user_agent[:400],
        request_id=ctx.request_id[:32],
        before=_json_safe(before),
        after=_json_safe(after),
        detail=_json_safe(detail),
        algorithm=settings.WEIBAO_AUDIT_HASH,
    )
    # The writer's MAC: a row put in the table by anyone without the key (a back-dated
    # record, say) is sealed like the others but cannot carry a valid one (decision 0011).
    entry.key_id, key = keys.current()
    entry.written_mac = written_mac(entry.algorithm, key, _hashed_fields(entry))
    # No savepoint: the record is the caller's, and a failure to write it fails the caller's
    # whole transaction (nothing is kept without its record); at top level this is still
    # the transaction that writes it.
    with transaction.atomic(savepoint=False):
        entry.save()
        if settings.WEIBAO_AUDIT_SEALING == "after_commit":
            # The chain lock is taken only once the caller's transaction has committed,
            # for a few milliseconds, not for the rest of the request (decision 0009).
            transaction.on_commit(_seal_after_commit)
        else:
            _, own = _seal(durable=True, keep=entry.pk)
            if own is None:  # not expected: no other sealer sees this uncommitted record
                entry.refresh_from_db(fields=["seq", "prev_hash", "content_hash", "chain_hash", "sealed_at"])
            else:
                entry.seq, entry.prev_hash, entry.sealed_at = own.seq, own.prev_hash, own.sealed_at
                entry.content_hash, entry.chain_hash = own.content_hash, own.chain_hash
    return entry


def _seal_after_commit() -> None:
    # The caller's work is committed: a failure here (the database just went away) must
    # not turn its answer into an error, or the client would retry work that was done.
    # The records stay pending, protected by the triggers, and the scheduler seals them.
    try:
        seal_pending(durable=False)
    except ChainError as exc:
        # Not a passing outage: something sealed these records outside the chain lock.
        log.error("audit chain: a seal found its records sealed already: %s", exc)
    except Exception as exc:  # noqa: BLE001 - see above; logged, retried every minute
        log.warning("audit records left pending after commit, the scheduler will seal them: %s", exc)


SEAL_BATCH = 500


def seal_pending(*, durable: bool = True) -> int:
    """Give every committed, not yet sealed record its place in the chain, oldest first.

    Holds the chain lock for one short transaction per batch. Called after each commit
    that wrote records, every minute by the scheduler (records whose writer died between
    commit and seal), and before the trail is read or verified. Returns how many it sealed.
    Keyed records are MACed under their writer's key and get a seal time that never goes
    back, even if this host's clock is behind the last sealer's (decision 0011).
    ``durable=False``: the seal right after a request's commit, which need not wait for
    the disk (see below).
    """
    return _seal(durable=durable)[0]


def _seal(*, durable: bool, keep: int | None = None) -> tuple[int, Seal | None]:
    """``seal_pending``'s work: how many it sealed, and the seal of record ``keep``."""
    sealed, kept = 0, None
    relaxed = not durable and not connection.in_atomic_block and connection.vendor == "postgresql"
    while True:
        with transaction.atomic():
            # After a request's commit (``durable=False``) the seal need not wait for its
            # own disk flush (3–20 ms on this class of disk, on every write request): the
            # records it seals are committed already, and a seal lost to a crash leaves
            # them pending, as a writer that died before sealing does, for the scheduler
            # to seal again; the head is in the same transaction, so the chain stays
            # whole. The scheduler, the anchor and the trail's readers seal durably (any
            # durable commit flushes earlier ones). Only in a transaction of its own:
            # never relaxes a caller's commit.
            head = AuditChainHead.objects.locked(relax_commit=relaxed)
            if head is None:  # the first seal ever creates the head (and commits durably)
                head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
            batch = AuditRecord.objects.oldest_pending(SEAL_BATCH)
            seq, prev, last_sealed_at = head.last_seq, head.last_hash, head.last_sealed_at
            now = clock.now()
            sealed_at = now if last_sealed_at is None or now > last_sealed_at else last_sealed_at
            seals = []
            for entry in batch:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev
                key = _sealing_key(entry)
                if key is not None:
                    entry.sealed_at = sealed_at
                entry.content_hash = content_hash(entry.algorithm, _hashed_fields(entry), key)
                entry.chain_hash = chain_hash(entry.algorithm, prev, entry.content_hash, key)
                seals.append(Seal(entry.pk, seq, prev, entry.content_hash, entry.chain_hash, entry.sealed_at))
                prev = entry.chain_hash
            if seals:
                AuditRecord.objects.seal(seals, head=(seq, prev, sealed_at))
        sealed += len(seals)
        kept = kept or next((one for one in seals if one.pk == keep), None)
        if len(batch) < SEAL_BATCH:
            return sealed, kept


def _sealing_key(entry: AuditRecord) -> bytes | None:
    if not entry.key_id:
        # Written before the chain was keyed (pending at the upgrade), or put in the table
        # by someone without the key: sealed the old way. After the first keyed record,
        # verification names such a record.
        return None
    try:
        return keys.by_id(entry.key_id)
    except keys.UnknownKey:
        # Its writer's key was retired before it was sealed: seal under the current key;
        # verification names the record (its writer's MAC cannot be checked).
        log.error("audit record %s was written under a key no longer configured", entry.pk)
        return keys.current()[1]


def _contract_of(obj: models.Model):
    # Named by label: the trail sits below the contracts app and cannot import it.
    if obj._meta.label_lower == "contracts.contract":
        return obj
    return getattr(obj, "contract_id", None)


def _hashed_fields(entry: AuditRecord) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "action": entry.action,
        "outcome": entry.outcome,
        "contract_id": entry.contract_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "request_id": entry.request_id,
        "before": entry.before,
        "after": entry.after,
        "detail": entry.detail,
        "algorithm": entry.algorithm,
        "key_id": entry.key_id,
        "sealed_at": entry.sealed_at,
    }


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    record_id: int | None
    reason: str


# Clocks of the hosts that write and seal may disagree this much.
CLOCK_SKEW = dt.timedelta(minutes=5)


def verify_chain(batch_size: int = 2000, anchors: Iterable[Anchor] = ()) -> Iterator[ChainProblem]:
    """Walk the whole trail in order; yield the first break found (and stop).

    Committed records not yet sealed are sealed first: a record is only ever checked
    against the chain it belongs to. Keyed records must carry valid MACs (writer's,
    content, link) under a configured key, seal times that never go back, and no date
    earlier than the longest transaction before the record sealed ahead of them; once the
    chain is keyed, no unkeyed record may follow. Each anchor (signed checkpoint kept
    outside the database) must find its head at its place, and no anchor may have seen
    more records than the chain still holds (decision 0011).
    """
    seal_pending()
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    longest_transaction = dt.timedelta(minutes=settings.WEIBAO_AUDIT_MAX_TRANSACTION_MINUTES)
    expected_prev = GENESIS_HASH
    expected_seq = 1
    keyed_seen = False
    prev_sealed_at = None
    qs = AuditRecord.objects.sealed().order_by("seq")
    while True:
        batch = list(qs.filter(seq__gte=expected_seq)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                yield ChainProblem(expected_seq, None, f"record #{expected_seq} is missing")
                return
            problem = key = None
            if entry.key_id:
                try:
                    key = keys.by_id(entry.key_id)
                except keys.UnknownKey:
                    problem = (f"sealed under key {entry.key_id}, which is not configured "
                               "(WEIBAO_AUDIT_KEY or WEIBAO_AUDIT_KEYS_OLD)")
            elif keyed_seen:
                problem = "has no key after the chain was keyed (written or rewritten without the key)"
            if problem is None and not same(content_hash(entry.algorithm, _hashed_fields(entry), key),
                                            entry.content_hash):
                problem = "content does not match its hash"
            if problem is None and entry.prev_hash != expected_prev:
                problem = "link to the previous record is broken"
            if problem is None and not same(chain_hash(entry.algorithm, entry.prev_hash, entry.content_hash, key),
                                            entry.chain_hash):
                problem = "chain hash does not match"
            if problem is None and key is not None:
                problem = _keyed_problem(entry, key, prev_sealed_at, longest_transaction)
                keyed_seen, prev_sealed_at = True, entry.sealed_at
            for anchor in by_seq.get(entry.seq, ()):
                if problem is None and not same(anchor.head_hash, entry.chain_hash):
                    problem = f"differs from the checkpoint of {anchor.anchored_at} ({anchor.source})"
            if problem is not None:
                yield ChainProblem(entry.seq, entry.pk, problem)
                return
            expected_prev = entry.chain_hash
            expected_seq += 1
    last = expected_seq - 1
    furthest = max(by_seq.values(), key=lambda group: group[0].seq, default=None)
    if furthest is not None and furthest[0].seq > last:
        anchor = furthest[0]
        yield ChainProblem(
            last + 1, None,
            f"records after #{last} are missing (the checkpoint of {anchor.anchored_at} saw #{anchor.seq}, "
            f"{anchor.source})",
        )
        return
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_seq != last:
        yield ChainProblem(
            expected_seq, None, f"records after #{last} are missing (head says #{head.last_seq})"
        )


def _keyed_problem(entry: AuditRecord, key: bytes, prev_sealed_at, longest_transaction) -> str | None:
    if not same(written_mac(entry.algorithm, key, _hashed_fields(entry)), entry.written_mac):
        return "was not written by Weibao (its writer's MAC does not match)"
    if entry.sealed_at is None:
        return "has no seal time"
    if prev_sealed_at is not None and entry.sealed_at < prev_sealed_at:
        return "seal time goes back before the previous record's"
    if entry.at > entry.sealed_at + CLOCK_SKEW:
        return "is dated after it was sealed"
    if prev_sealed_at is not None and entry.at < prev_sealed_at - longest_transaction:
        return "is dated before the record ahead of it was sealed (back-dated)"
    return None
