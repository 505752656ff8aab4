"""The append-only, hash-chained audit trail (审计记录)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from weibao.core import clock


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit record."""


class ChainError(Exception):
    """A seal found a record it was to seal already sealed: the chain would fork."""


@dataclass(frozen=True)
class Seal:
    """A pending record's place in the chain, as the sealer computed it."""

    pk: int
    seq: int
    prev_hash: str
    content_hash: str
    chain_hash: str
    sealed_at: object


# One row of the VALUES list a seal writes: typed on PostgreSQL, where a VALUES list's
# column types come from its values (an id and seq bind as numbers, a time may be NULL).
_SEAL_ROW_POSTGRESQL = "(%s::bigint, %s::bigint, %s, %s, %s, %s::timestamptz)"
_SEAL_ROW = "(%s, %s, %s, %s, %s, %s)"


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit records cannot be changed")

    def sealed(self):
        return self.filter(seq__isnull=False)

    def pending(self):
        return self.filter(seq__isnull=True)

    # The sealer's statements are written once, not compiled by the ORM on every seal: a
    # seal runs after nearly every request (a millisecond of ORM work, more than the
    # statements themselves). Plain SQL both databases take.

    def oldest_pending(self, limit: int) -> list[AuditRecord]:
        """Up to ``limit`` committed records not yet sealed, oldest id first."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        # On the connection the sealer writes with (raw() would take the router's read choice).
        # Named columns, not *: the rows are read as this code's model knows them.
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.model._meta.concrete_fields)
        return list(self.raw(f"SELECT {columns} FROM {table} WHERE seq IS NULL ORDER BY id LIMIT %s", [limit],  # noqa: S608 - the table's name
                             using=connection.alias))

    def seal(self, seals: list[Seal], *, head: tuple[int, str, object]) -> None:
        """Write pending records' places in the chain (the only change the database
        triggers allow) and move the head to ``head`` (last seq, last hash, last sealed at):
        one statement on PostgreSQL, two on SQLite, however many records. Raises
        ``ChainError`` (and the caller's transaction rolls back) unless every one of them
        was still pending."""
        if not seals:
            return
        postgresql = connection.vendor == "postgresql"
        table = connection.ops.quote_name(self.model._meta.db_table)
        head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
        adapt = connection.ops.adapt_datetimefield_value
        values, params = [], []
        for one in seals:
            values.append(_SEAL_ROW_POSTGRESQL if postgresql else _SEAL_ROW)
            params += [one.pk, one.seq, one.prev_hash, one.content_hash, one.chain_hash, adapt(one.sealed_at)]
        last_seq, last_hash, last_sealed_at = head
        head_params = [last_seq, last_hash, adapt(last_sealed_at)]
        move_head = f"UPDATE {head_table} SET last_seq = %s, last_hash = %s, last_sealed_at = %s WHERE id = 1"  # noqa: S608
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute(
                    f"WITH v (id, seq, prev_hash, content_hash, chain_hash, sealed_at) AS (VALUES {', '.join(values)}), "  # noqa: S608
                    f"sealed AS (UPDATE {table} AS r SET seq = v.seq, prev_hash = v.prev_hash, "
                    "content_hash = v.content_hash, chain_hash = v.chain_hash, sealed_at = v.sealed_at "
                    "FROM v WHERE r.id = v.id AND r.seq IS NULL RETURNING r.id) "
                    f"{move_head} RETURNING (SELECT count(*) FROM sealed)",
                    params + head_params,
                )
                moved = cursor.fetchone()
                written, head_moved = (moved[0], 1) if moved else (0, 0)
            else:
                cursor.execute(
                    f"UPDATE {table} SET seq = v.column2, prev_hash = v.column3, content_hash = v.column4, "  # noqa: S608
                    f"chain_hash = v.column5, sealed_at = v.column6 FROM (VALUES {', '.join(values)}) AS v "
                    f"WHERE {table}.id = v.column1 AND {table}.seq IS NULL",
                    params,
                )
                written = cursor.rowcount
                cursor.execute(move_head, head_params)
                head_moved = cursor.rowcount
        if written != len(seals) or head_moved != 1:
            raise ChainError(f"{len(seals) - written} of {len(seals)} records were sealed by another sealer"
                             if head_moved else "the chain has no head to move")

    def delete(self):
        raise AppendOnlyError("audit records cannot be deleted")


class AuditRecord(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")
        DENIED = "denied", _("拒绝")

    # seq is the chain order, assigned when the record is sealed into the chain under the
    # chain lock: gap-free. A record is written first (in the caller's transaction, no
    # lock) and sealed right after that transaction commits (decision 0009).
    seq = models.BigIntegerField(unique=True, null=True, editable=False)
    at = models.DateTimeField(_("时间"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("事件"), max_length=64, db_index=True)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=400, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    detail = models.JSONField(_("详情"), null=True, blank=True)
    algorithm = models.CharField(max_length=16)
    # Keyed chain (decision 0011). Set by the writer: the id of the key (empty on records
    # sealed before the chain was keyed) and its MAC over what it wrote. Set when sealed:
    # the seal time, never earlier than the previous record's.
    key_id = models.CharField(max_length=16, blank=True, default="")
    written_mac = models.CharField(max_length=64, blank=True, default="")
    sealed_at = models.DateTimeField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")
    chain_hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["contract", "-seq"]),
            models.Index(fields=["action", "-at"]),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq if self.seq is not None else '—'} {self.action} {self.actor_username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit records cannot be deleted")


class ChainHeadQuerySet(models.QuerySet):
    def locked(self, *, relax_commit: bool = False) -> AuditChainHead | None:
        """The head, locked until the transaction ends (on SQLite the write transaction
        already excludes other sealers); None before the first seal. ``relax_commit``: this
        transaction's commit does not wait for the disk (PostgreSQL, ``SET LOCAL`` as a
        function called by the same statement)."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        relax = ", set_config('synchronous_commit', 'off', true) AS relaxed" if relax_commit else ""
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        found = self.raw(f"SELECT id, last_seq, last_hash, last_sealed_at{relax} FROM {table} WHERE id = 1{lock}",  # noqa: S608
                         using=connection.alias)
        return next(iter(found), None)


class AuditChainHead(models.Model):
    """A single row holding the chain's tip; locked while pending records are sealed."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_sealed_at = models.DateTimeField(null=True, blank=True)

    objects = ChainHeadQuerySet.as_manager()
