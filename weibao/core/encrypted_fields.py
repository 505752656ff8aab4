"""Citizens' personal data encrypted at rest (PIPL art. 51; 等保 2.0 level 3), decision 0026.

A stored value is ``pd1:<key id>:<base64 of nonce + tag + ciphertext>``: SM4-GCM
(GB/T 32907) with a random nonce per value, under a key derived from ``WEIBAO_DATA_KEY``;
values written under a key listed in ``WEIBAO_DATA_KEYS_OLD`` still decrypt, and
``weibao rotate_data_key`` rewrites them under the current key. Python code reads and
writes clear values: the field encrypts on the way to the database and decrypts on the
way back. The empty value stays empty (a blank phone is not a secret).

Ciphertext cannot be compared, sorted or searched: an encrypted field refuses every
lookup except ``isnull`` and ``= ""``. Exact search goes through a ``KeyedHashField``
beside it: HMAC-SM3 of the normalised value under a second key derived from the same
secret, recomputed on every save.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

PREFIX = "pd1:"
_NONCE, _TAG = 12, 16
_CIPHER_LABEL = b"weibao personal data SM4-GCM v1"
_HASH_LABEL = b"weibao personal data search HMAC-SM3 v1"


class UnreadablePersonalData(Exception):
    """A stored value was encrypted under a key that is neither WEIBAO_DATA_KEY nor one of
    WEIBAO_DATA_KEYS_OLD, or it has been altered."""


@dataclass(frozen=True)
class DataKey:
    key_id: str
    cipher_key: bytes
    hash_key: bytes


@functools.lru_cache(maxsize=16)
def _derive(secret: str) -> DataKey:
    def hkdf(label: bytes, length: int) -> bytes:
        return HKDF(algorithm=hashes.SM3(), length=length, salt=None, info=label).derive(secret.encode())

    cipher_key = hkdf(_CIPHER_LABEL, 16)
    # The id names the key in every stored value without telling anything about it.
    key_id = hashlib.sha256(b"weibao personal data key id\x00" + cipher_key).hexdigest()[:8]
    return DataKey(key_id, cipher_key, hkdf(_HASH_LABEL, 32))


def current_key() -> DataKey:
    return _derive(settings.WEIBAO_DATA_KEY)


def all_keys() -> list[DataKey]:
    """The current key first, then the retired ones."""
    keys = [current_key()]
    for old in settings.WEIBAO_DATA_KEYS_OLD:
        derived = _derive(old)
        if derived not in keys:
            keys.append(derived)
    return keys


def key_id_of(stored: str | None) -> str:
    """The key id a stored value was written under ("" for an empty or clear value)."""
    if not stored or not stored.startswith(PREFIX):
        return ""
    return stored[len(PREFIX):].split(":", 1)[0]


def encrypt(plain: str) -> str:
    if not plain:
        return plain
    key = current_key()
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(key.cipher_key), modes.GCM(nonce)).encryptor()
    # The key id is bound to the ciphertext: a value cannot be moved under another id.
    encryptor.authenticate_additional_data(key.key_id.encode())
    ciphertext = encryptor.update(plain.encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + encryptor.tag + ciphertext).decode("ascii")
    return f"{PREFIX}{key.key_id}:{blob}"


def decrypt(stored: str | None) -> str | None:
    """The clear value of a stored one; a value written before encryption is returned as it
    is (the data migration encrypts those). Raises UnreadablePersonalData."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    key_id, _sep, blob = stored[len(PREFIX):].partition(":")
    key = next((k for k in all_keys() if k.key_id == key_id), None)
    if key is None:
        raise UnreadablePersonalData(
            f"personal data written under key {key_id!r}, which is neither WEIBAO_DATA_KEY "
            "nor one of WEIBAO_DATA_KEYS_OLD"
        )
    try:
        raw = base64.b64decode(blob, validate=True)
        nonce, tag, ciphertext = raw[:_NONCE], raw[_NONCE:_NONCE + _TAG], raw[_NONCE + _TAG:]
        decryptor = Cipher(algorithms.SM4(key.cipher_key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(key_id.encode())
        return (decryptor.update(ciphertext) + decryptor.finalize()).decode()
    except (InvalidTag, ValueError) as exc:
        raise UnreadablePersonalData(f"personal data under key {key_id!r} has been altered") from exc


# ---- keyed hashes for exact search -------------------------------------------------------

def normalise(kind: str, value: str | None) -> str:
    """The form a value is hashed in, so that what a user types finds what was stored:
    a phone's digits only, an ID number upper-case (the X check digit), an e-mail
    lower-case, a name without surrounding spaces."""
    value = (value or "").strip()
    if kind == "phone":
        return "".join(ch for ch in value if ch in "0123456789")
    if kind == "id_number":
        return value.upper()
    if kind == "email":
        return value.lower()
    if kind == "name":
        return value
    raise ValueError(f"unknown kind of personal data: {kind}")


def keyed_hash(kind: str, value: str | None, key: DataKey | None = None) -> str:
    """HMAC-SM3 of the normalised value under the (current) hash key; "" for no value."""
    normalised = normalise(kind, value)
    if not normalised:
        return ""
    mac = hmac.HMAC((key or current_key()).hash_key, hashes.SM3())
    mac.update(kind.encode() + b"\x00" + normalised.encode())
    return mac.finalize().hex()


def search_hashes(kind: str, value: str | None) -> list[str]:
    """The hashes ``value`` may be stored under: the current key's and, while a rotation has
    not finished, the retired keys'. Empty when there is nothing to search for."""
    if not normalise(kind, value):
        return []
    return [keyed_hash(kind, value, key) for key in all_keys()]


# ---- fields --------------------------------------------------------------------------------

class _EmptyOnlyExact(Exact):
    """``field=""`` still works (no value is stored as itself); any other value cannot be
    compared with a ciphertext under a random nonce, so it is refused rather than
    silently matching nothing."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.output_field.name} is encrypted: search it through its keyed hash "
                "(weibao.core.encrypted_fields.search_hashes)"
            )
        return super().get_prep_lookup()


class _Encrypted:
    """Mixin for a text field whose values are encrypted at rest. The column is ``text``
    (a ciphertext is longer than its clear value); ``max_length`` still limits the clear value."""

    encrypted = True

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def to_python(self, value):
        value = super().to_python(value)
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(f"{self.name} is encrypted and cannot be filtered with __{lookup_name}")

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.name} is encrypted and cannot be transformed with __{lookup_name}")


class EncryptedCharField(_Encrypted, models.CharField):
    """A short personal value (a name, a phone number) encrypted at rest."""


class EncryptedEmailField(_Encrypted, models.EmailField):
    """An e-mail address encrypted at rest, validated as models.EmailField is."""

    default_validators = [validators.validate_email]


class KeyedHashField(models.CharField):
    """The keyed hash of an encrypted field's value, for exact search; computed on every save
    from ``source`` (a field of the same model) normalised as ``kind``. Models carrying one
    mix in ``PersonalDataModel`` so that ``save(update_fields=[source])`` updates it too."""

    def __init__(self, *args, source: str = "", kind: str = "", **kwargs):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        for key, default in (("max_length", 64), ("blank", True), ("default", ""), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = keyed_hash(self.kind, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def hash_fields(model) -> list[KeyedHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField)]


def encrypted_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


class PersonalDataModel(models.Model):
    """A model with encrypted fields and their keyed hashes: saving a source field saves
    its hash with it, whatever ``update_fields`` names."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {f.name for f in hash_fields(type(self)) if f.source in update_fields}
            kwargs["update_fields"] = set(update_fields) | extra
        super().save(*args, **kwargs)
