"""Cross-cutting request plumbing: metrics, request context, database outages."""

from __future__ import annotations

import logging
import time

from weibao.core import request_context
from weibao.core.metrics import LATENCY, REQUESTS

log = logging.getLogger(__name__)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else None) or "unmatched"
        LATENCY.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method, f"{response.status_code // 100}xx").inc()
        return response


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = request_context.from_request(request)
        request.request_id = ctx.request_id
        token = request_context.set_current(ctx)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = ctx.request_id
        return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage inside a view into a clean 503 (see core.views.server_error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from weibao.core.views import is_database_outage, outage_response

        if is_database_outage(exception):
            # Logged with its cause: an outage and, say, a deadlock both answer 503, and
            # only the log tells them apart.
            log.warning("database error answered 503: %s %s: %s", request.method, request.path,
                        exception, exc_info=exception)
            return outage_response(request)
        return None
