"""Operational endpoints and the error pages."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from weibao.core import health, metrics
from weibao.core.declarations import public

log = logging.getLogger(__name__)


def is_database_outage(exc: BaseException | None) -> bool:
    if exc is None:
        return False
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    # psycopg wraps a dropped connection as a DatabaseError with no SQL state.
    return isinstance(exc, DatabaseError) and "connection" in str(exc).lower()


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.META.get(
        "HTTP_ACCEPT", ""
    )


def outage_response(request):
    message = _("数据库暂时不可用，请稍后重试。您的操作没有被保存。")
    if wants_json(request):
        response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
    else:
        response = HttpResponse(_outage_page(request, message), status=503)
    response["Retry-After"] = "5"
    return response


def _outage_page(request, message: str) -> str:
    # Without the request's context processors: they read the session, the user and the
    # user's contracts from the database that is down, and the 503 page became a bare 500.
    try:
        return render_to_string(
            "503.html", {"message": message, "request": request, "csrf_token": get_token(request)}
        )
    except Exception:  # noqa: BLE001 - the outage page itself must not fail
        log.exception("the 503 page could not be rendered")
        return f"<!DOCTYPE html><title>503</title><p>{escape(message)}</p>"


@public("operations: the load balancer's liveness probe, without a session")
@never_cache
@transaction.non_atomic_requests
def healthz(request):
    # Liveness only: no database, so a database outage does not restart the web tier.
    return JsonResponse({"status": "ok"})


@public("operations: the load balancer's readiness probe, without a session")
@never_cache
@transaction.non_atomic_requests
def readyz(request):
    db_ok, db_detail = health.database_ok()
    queue_ok, queue_detail = health.queue_ok()
    ready = db_ok and queue_ok
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "database": db_detail,
            "queue": queue_detail,
        },
        status=200 if ready else 503,
    )


@public("operations: Prometheus scrapes it without a session; counts only, no records")
@never_cache
@transaction.non_atomic_requests
def metrics_view(request):
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


def server_error(request):
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        return outage_response(request)
    message = _("服务器出错了，我们已记录此问题。请稍后重试。")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "server_error"}, status=500)
    try:
        return render(request, "500.html", {"message": message}, status=500)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return HttpResponse(message, status=500, content_type="text/plain; charset=utf-8")


def not_found(request, exception=None):
    message = _("找不到您要的页面，或者您没有权限查看。")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "not_found"}, status=404)
    return render(request, "404.html", {"message": message}, status=404)


def permission_denied(request, exception=None):
    # A service's refusal names its reason (e.g. "内部备注仅限乙方团队。"): shown as it is.
    message = str(exception) if exception is not None and str(exception) else _("您没有权限执行此操作。")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "permission_denied"}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def bad_request(request, exception=None):
    message = _("请求无效。")
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "bad_request"}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
