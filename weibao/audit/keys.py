"""The audit chain's keys: the current one seals, old ones still verify (decision 0011).

Keys come from the environment, never from the database: ``WEIBAO_AUDIT_KEY`` (production
refuses to start without it; dev and test derive one from the secret key under a label of
its own) and ``WEIBAO_AUDIT_KEYS_OLD`` (comma-separated keys retired by a rotation). Each
record keeps the id of its key, a fingerprint that reveals nothing of the key itself.
"""

from __future__ import annotations

import hashlib

from django.conf import settings


class UnknownKey(LookupError):
    """A record or anchor names a key this installation does not hold."""


def key_id(secret: str) -> str:
    return hashlib.sha256(b"weibao.audit.key-id\0" + secret.encode()).hexdigest()[:16]


def current() -> tuple[str, bytes]:
    secret = settings.WEIBAO_AUDIT_KEY
    return key_id(secret), secret.encode()


def by_id(wanted: str) -> bytes:
    for secret in (settings.WEIBAO_AUDIT_KEY, *settings.WEIBAO_AUDIT_KEYS_OLD):
        if key_id(secret) == wanted:
            return secret.encode()
    raise UnknownKey(wanted)
