"""Rewriting personal data under the current WEIBAO_DATA_KEY after a rotation (decision 0026).

Every model with encrypted fields is found through the app registry (no app is named here).
A row is stale while any of its encrypted values is not stored under the current key
(written under a retired key, or still in clear); rewriting it re-encrypts every encrypted
value and recomputes its keyed hashes under the current hash key. Rows are taken in
primary-key order, a batch per transaction, locked while rewritten: an interrupted run
is resumed by running it again, and a write by a user during the run is not lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Cast

from weibao.core.encrypted_fields import (
    PREFIX,
    current_key,
    encrypt,
    encrypted_fields,
    hash_fields,
    keyed_hash,
)


def models_with_personal_data() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if encrypted_fields(model)]


def _raw(name: str) -> str:
    return f"_raw_{name}"


def _stale(model) -> models.QuerySet:
    """The rows of ``model`` with a value not stored under the current key."""
    current = f"{PREFIX}{current_key().key_id}:"
    fields = encrypted_fields(model)
    queryset = model._base_manager.annotate(
        # The stored text as it is, not through the field's decryption.
        **{_raw(f.attname): Cast(f.attname, models.TextField()) for f in fields}
    )
    stale = Q()
    for field in fields:
        raw = _raw(field.attname)
        stale |= ~Q(**{f"{raw}__isnull": True}) & ~Q(**{raw: ""}) & ~Q(**{f"{raw}__startswith": current})
    return queryset.filter(stale)


def stale_count(model) -> int:
    return _stale(model).count()


@dataclass
class Progress:
    model: str
    rewritten: int
    remaining: int


def rotate_model(model, *, batch_size: int = 500,
                 progress: Callable[[Progress], None] | None = None) -> int:
    """Rewrite every stale row of ``model`` under the current key; the number rewritten."""
    fields = encrypted_fields(model)
    hashes = hash_fields(model)
    label = model._meta.label_lower
    done = 0
    while True:
        with transaction.atomic():
            pks = list(_stale(model).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not pks:
                return done
            for row in model._base_manager.select_for_update().filter(pk__in=pks).order_by("pk"):
                update = {
                    f.attname: Value(encrypt(getattr(row, f.attname) or ""), output_field=models.TextField())
                    for f in fields
                    if getattr(row, f.attname) is not None
                }
                update |= {h.attname: keyed_hash(h.kind, getattr(row, h.source)) for h in hashes}
                model._base_manager.filter(pk=row.pk).update(**update)
            done += len(pks)
        if progress is not None:
            progress(Progress(label, done, stale_count(model)))


def rotate_all(*, batch_size: int = 500,
               progress: Callable[[Progress], None] | None = None) -> dict[str, int]:
    """Rewrite every model's stale rows; the count per model (``app_label.model``)."""
    return {
        model._meta.label_lower: rotate_model(model, batch_size=batch_size, progress=progress)
        for model in models_with_personal_data()
    }
