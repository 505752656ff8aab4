"""JSON-lines log formatter for log shippers (WEIBAO_LOG_FORMAT=json)."""

import json
import logging
from datetime import UTC, datetime


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "path", "status", "duration_ms", "user"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class ClientErrorsOnOneLine(logging.Filter):
    """A refused request (4xx) is the client's business, not a fault: one line in the log,
    without the traceback Django attaches to a PermissionDenied. 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name.startswith(("django.request", "django.security")) and status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
