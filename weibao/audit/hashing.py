"""Canonical content and hashes of audit records. Pure functions, no Django models."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes

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


def digest(algorithm: str, data: bytes) -> str:
    if algorithm == "sm3":
        # SM3 (GB/T 32905-2016), the national standard hash.
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    raise ValueError(f"unknown audit hash algorithm {algorithm!r}")


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        # Microsecond UTC form: identical after SQLite and PostgreSQL round trips.
        return _iso(value)
    return value


def _iso(value: datetime) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_content(fields: dict[str, Any]) -> bytes:
    """The exact bytes hashed for a record: sorted-key JSON of the hashed fields."""
    payload = {name: _normalise(fields.get(name)) for name in HASHED_FIELDS}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def content_hash(algorithm: str, fields: dict[str, Any]) -> str:
    return digest(algorithm, canonical_content(fields))


def chain_hash(algorithm: str, prev_hash: str, own_content_hash: str) -> str:
    return digest(algorithm, f"{prev_hash}:{own_content_hash}".encode())
