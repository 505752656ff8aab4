"""Secrets the platform has to keep and use again later (a mailbox's IMAP password):
encrypted at rest with SM4-GCM (GB/T 32907), under a key derived from SECRET_KEY.

A stored value is ``sm4gcm:v1:<base64 of nonce + tag + ciphertext>``. Values written before
encryption (plain text) are read as they are. ``env:NAME`` reads an environment variable
instead, but only one named ``WEIBAO_IMAP_PASSWORD_<NAME>``: the people who type these values
(a contract's project manager) must not be able to make the server send its own
configuration (SECRET_KEY, DATABASE_URL) to a mail server they choose.
"""

from __future__ import annotations

import base64
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "sm4gcm:v1:"
_NONCE, _TAG = 12, 16


#: The only environment variables an ``env:`` reference may name.
ENV_REFERENCE = re.compile(r"env:(WEIBAO_IMAP_PASSWORD_[A-Z0-9_]+)")


class UnreadableSecret(Exception):
    """The value was encrypted under another SECRET_KEY, or has been altered, or names an
    environment variable that is not a WEIBAO_IMAP_PASSWORD_* one."""


def is_env_reference(value: str) -> bool:
    return value.startswith("env:")


def is_allowed_env_reference(value: str) -> bool:
    return ENV_REFERENCE.fullmatch(value) is not None


def _key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=16, salt=None,
                info=b"weibao stored secrets v1").derive(settings.SECRET_KEY.encode())


def is_protected(stored: str) -> bool:
    return stored.startswith(PREFIX)


def protect(plain: str) -> str:
    """The value to store for ``plain`` (empty and ``env:`` references stay as they are)."""
    if not plain or is_env_reference(plain) or is_protected(plain):
        return plain
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    ciphertext = encryptor.update(plain.encode()) + encryptor.finalize()
    return PREFIX + base64.b64encode(nonce + encryptor.tag + ciphertext).decode("ascii")


def reveal(stored: str) -> str:
    """The plain value of a stored one (``env:WEIBAO_IMAP_PASSWORD_…``: that environment variable,
    "" when unset); raises UnreadableSecret when it cannot be decrypted or names another
    variable."""
    if is_env_reference(stored):
        if not is_allowed_env_reference(stored):
            raise UnreadableSecret(
                "env: 只能引用 WEIBAO_IMAP_PASSWORD_ 开头的环境变量，请重新输入。 / "
                "env: may only name an environment variable starting with WEIBAO_IMAP_PASSWORD_; "
                "enter it again."
            )
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
