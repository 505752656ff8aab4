"""The internal event stream (outbox): SLA breaches, monitor state changes, alerts…"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core import clock


class Event(models.Model):
    """One published event. Stored in the publisher's transaction, dispatched after commit,
    and swept up by a periodic task if dispatch could not run (queue down): never lost.

    It belongs to a contract like every business record; the foreign key is named by
    string because core sits below the contracts app. Events are read by their
    subscribers, never listed to users, so they need no ``for_user``.
    """

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="+", verbose_name="合同"
    )
    type = models.CharField(_("事件类型"), max_length=64, db_index=True)
    payload = models.JSONField(default=dict)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dispatched_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class RateCounter(models.Model):
    """Counted attempts for the sliding-window rate limits (logins, tokens, the public
    portal), one row per attempt stamped with its time (``window_start``), shared by every
    web process through the database (``core.ratelimit``)."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]
