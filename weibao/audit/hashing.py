"""Canonical content and hashes of audit records. Pure functions, no Django models.

Two versions live side by side (decision 0011). Records sealed before the chain was keyed
(``key_id`` empty) keep their plain hashes and verify as they always did. Keyed records
are MACed with HMAC over the same hash (HMAC-SM3 by default) under a key that is not in
the database, and also cover their key id and their seal time.
"""

from __future__ import annotations

import hashlib
import hmac as std_hmac
import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "outcome",
    "contract_id",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "user_agent",
    "request_id",
    "before",
    "after",
    "detail",
    "algorithm",
)
# A keyed record's content also covers which key sealed it and when it was sealed.
KEYED_FIELDS = (*HASHED_FIELDS, "key_id", "sealed_at")
# What the writer MACs when it inserts the record, before it has a place in the chain.
WRITTEN_FIELDS = tuple(name for name in KEYED_FIELDS if name not in ("seq", "sealed_at"))


def _hash_algorithm(algorithm: str) -> hashes.HashAlgorithm:
    if algorithm == "sm3":
        # SM3 (GB/T 32905-2016), the national standard hash.
        return hashes.SM3()
    if algorithm == "sha256":
        return hashes.SHA256()
    raise ValueError(f"unknown audit hash algorithm {algorithm!r}")


def digest(algorithm: str, data: bytes) -> str:
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    h = hashes.Hash(_hash_algorithm(algorithm))
    h.update(data)
    return h.finalize().hex()


def mac(algorithm: str, key: bytes, data: bytes) -> str:
    """HMAC (RFC 2104) over the chain's hash: HMAC-SM3 by default."""
    h = crypto_hmac.HMAC(key, _hash_algorithm(algorithm))
    h.update(data)
    return h.finalize().hex()


def same(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        # Microsecond UTC form: identical after SQLite and PostgreSQL round trips.
        return iso(value)
    return value


def iso(value: datetime) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_content(fields: dict[str, Any], names: tuple[str, ...] = HASHED_FIELDS) -> bytes:
    """The exact bytes hashed for a record: sorted-key JSON of the hashed fields."""
    payload = {name: _normalise(fields.get(name)) for name in names}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def content_hash(algorithm: str, fields: dict[str, Any], key: bytes | None = None) -> str:
    if key is None:  # a record sealed before the chain was keyed
        return digest(algorithm, canonical_content(fields))
    return mac(algorithm, key, canonical_content(fields, KEYED_FIELDS))


def chain_hash(algorithm: str, prev_hash: str, own_content_hash: str, key: bytes | None = None) -> str:
    data = f"{prev_hash}:{own_content_hash}".encode()
    return digest(algorithm, data) if key is None else mac(algorithm, key, data)


def written_mac(algorithm: str, key: bytes, fields: dict[str, Any]) -> str:
    """The MAC the writer puts on a record when it inserts it: a row inserted by anyone
    without the key (a back-dated record, say) is sealed into the chain like any other
    but cannot carry a valid one."""
    return mac(algorithm, key, b"written:" + canonical_content(fields, WRITTEN_FIELDS))
