"""Secrets the platform has to keep and use again later (a mailbox's IMAP password):
encrypted at rest with SM4-GCM (GB/T 32907), under a key derived from SECRET_KEY.

A stored value is ``sm4gcm:v1:<base64 of nonce + tag + ciphertext>``. Values written before
encryption (plain text) and ``env:NAME`` references are read as they are.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "sm4gcm:v1:"
_NONCE, _TAG = 12, 16


class UnreadableSecret(Exception):
    """The value was encrypted under another SECRET_KEY, or has been altered."""


def _key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=16, salt=None,
                info=b"weibao stored secrets v1").derive(settings.SECRET_KEY.encode())


def is_protected(stored: str) -> bool:
    return stored.startswith(PREFIX)


def protect(plain: str) -> str:
    """The value to store for ``plain`` (empty and ``env:`` references stay as they are)."""
    if not plain or plain.startswith("env:") or is_protected(plain):
        return plain
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    ciphertext = encryptor.update(plain.encode()) + encryptor.finalize()
    return PREFIX + base64.b64encode(nonce + encryptor.tag + ciphertext).decode("ascii")


def reveal(stored: str) -> str:
    """The plain value of a stored one (``env:NAME``: that environment variable, "" when
    unset); raises UnreadableSecret when it cannot be decrypted."""
    if stored.startswith("env:"):
        return os.environ.get(stored[4:], "")
    if not is_protected(stored):
        return stored
    try:
        blob = base64.b64decode(stored[len(PREFIX):], validate=True)
        nonce, tag, ciphertext = blob[:_NONCE], blob[_NONCE:_NONCE + _TAG], blob[_NONCE + _TAG:]
        decryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
        return (decryptor.update(ciphertext) + decryptor.finalize()).decode()
    except (InvalidTag, ValueError) as exc:
        raise UnreadableSecret(
            "已保存的密码无法解密（SECRET_KEY 已更换？），请重新输入。 / "
            "The stored password cannot be decrypted (was SECRET_KEY changed?); enter it again."
        ) from exc
