"""Liveness and readiness checks for /healthz and /readyz."""

from __future__ import annotations

import logging

from django.db import connection

log = logging.getLogger(__name__)


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness: database unreachable: %s", exc)
        return False, type(exc).__name__


def queue_ok() -> tuple[bool, str]:
    try:
        from huey.contrib.djhuey import HUEY

        HUEY.storage.queue_size()
        return True, "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("readiness: queue unreachable: %s", exc)
        return False, type(exc).__name__


def queue_depth() -> int | None:
    try:
        from huey.contrib.djhuey import HUEY

        return int(HUEY.pending_count())
    except Exception:  # noqa: BLE001
        return None
