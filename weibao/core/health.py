"""Liveness and readiness checks for /healthz and /readyz."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from weibao.core import clock

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


# The background worker touches this file from a periodic task: the scheduler enqueued
# it and a worker ran it, so a fresh mtime means both are alive (huey has no other
# cross-process sign of life).
HEARTBEAT_FILE = "worker-heartbeat"
HEARTBEAT_STALE_AFTER_SECONDS = 180
DISK_LOW_FRACTION = 0.1


def _var_dir() -> Path:
    return Path(settings.VAR_DIR)


def beat() -> None:
    """Record that the scheduler and a worker are running."""
    path = _var_dir() / HEARTBEAT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(clock.now().isoformat())


def last_heartbeat() -> datetime | None:
    try:
        mtime = (_var_dir() / HEARTBEAT_FILE).stat().st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(mtime, tz=UTC)


def worker_alive(now: datetime | None = None) -> bool:
    last = last_heartbeat()
    now = now or clock.now()
    return last is not None and (now - last).total_seconds() <= HEARTBEAT_STALE_AFTER_SECONDS


def disk_free(path: Path | None = None) -> dict | None:
    """Free space where uploads and the queue live (MEDIA_ROOT, else VAR_DIR)."""
    path = Path(path or settings.MEDIA_ROOT)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None
    return {
        "path": str(path),
        "free": usage.free,
        "total": usage.total,
        "low": usage.free < usage.total * DISK_LOW_FRACTION,
    }


def configuration_warnings() -> list[str]:
    """Settings a system administrator should correct, in words they act on."""
    warnings = []
    if settings.DEBUG:
        warnings.append(_("调试模式已开启（WEIBAO_DEBUG）：生产环境必须关闭，否则出错页面会泄露配置和数据。"))
    if not settings.PRODUCTION:
        warnings.append(
            _("系统运行于非生产模式（WEIBAO_MODE=%(mode)s）：密钥自动生成，部分安全规则放宽。")
            % {"mode": settings.MODE}
        )
    if not os.environ.get("WEIBAO_AUDIT_KEY"):
        warnings.append(_("未单独设置审计密钥 WEIBAO_AUDIT_KEY：审计链密钥由 SECRET_KEY 派生，应由审计管理员另行保管。"))
    if not os.environ.get("WEIBAO_DATA_KEY"):
        warnings.append(_("未单独设置个人信息加密密钥 WEIBAO_DATA_KEY：密钥由 SECRET_KEY 派生，应另行保管。"))
    if not getattr(settings, "WEIBAO_IMAP_HOSTS", None):
        warnings.append(_("未设置 WEIBAO_IMAP_HOSTS：项目经理无法配置 IMAP 收信邮箱。"))
    elif "*" in settings.WEIBAO_IMAP_HOSTS:
        warnings.append(_("WEIBAO_IMAP_HOSTS 允许任意主机：请只列出本单位的邮件服务器。"))
    if getattr(settings, "WEIBAO_IMAP_ALLOW_PLAINTEXT", False):
        warnings.append(_("允许以明文连接 IMAP（WEIBAO_IMAP_ALLOW_PLAINTEXT）：口令可能被截获。"))
    if not settings.WEIBAO_PASSWORD_MAX_AGE_DAYS:
        warnings.append(_("未设置口令最长使用期限（WEIBAO_PASSWORD_MAX_AGE_DAYS）。"))
    return [str(w) for w in warnings]
